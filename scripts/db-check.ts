import { runAsProcess } from '../src/operator/commands/process.js';
import { dbCheck } from '../src/repo/commands/db-check.js';

await runAsProcess(dbCheck);
