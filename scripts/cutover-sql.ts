import { cutoverSql } from '../src/commands/cutover-sql.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(cutoverSql);
