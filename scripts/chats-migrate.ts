import { chatsMigrate } from '../src/commands/chats-migrate.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(chatsMigrate);
