import { demo } from '../src/operator/commands/demo.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(demo);
