import { chatsMigrate } from '../src/operator/commands/chats-migrate.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(chatsMigrate);
