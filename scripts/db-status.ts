import { dbStatus } from '../src/commands/db-status.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(dbStatus);
