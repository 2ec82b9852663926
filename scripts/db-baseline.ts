import { dbBaseline } from '../src/operator/commands/db-baseline.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(dbBaseline);
