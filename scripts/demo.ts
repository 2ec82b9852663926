import { demo } from '../src/commands/demo.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(demo);
