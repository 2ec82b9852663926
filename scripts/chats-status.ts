import { chatsStatus } from '../src/operator/commands/chats-status.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(chatsStatus);
