import { chatsStatus } from '../src/commands/chats-status.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(chatsStatus);
