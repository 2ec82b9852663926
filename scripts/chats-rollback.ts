import { chatsRollback } from '../src/operator/commands/chats-rollback.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(chatsRollback);
