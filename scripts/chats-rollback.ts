import { chatsRollback } from '../src/commands/chats-rollback.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(chatsRollback);
