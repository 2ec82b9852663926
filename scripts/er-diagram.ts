import { docsEr } from '../src/commands/docs-er.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(docsEr);
