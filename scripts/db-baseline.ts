import { dbBaseline } from '../src/commands/db-baseline.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(dbBaseline);
