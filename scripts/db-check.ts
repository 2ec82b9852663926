import { dbCheck } from '../src/commands/db-check.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(dbCheck);
