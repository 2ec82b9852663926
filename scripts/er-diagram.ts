import { runAsProcess } from '../src/operator/commands/process.js';
import { docsEr } from '../src/repo/commands/docs-er.js';

await runAsProcess(docsEr);
