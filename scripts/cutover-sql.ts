import { runAsProcess } from '../src/operator/commands/process.js';
import { cutoverSql } from '../src/repo/commands/cutover-sql.js';

await runAsProcess(cutoverSql);
