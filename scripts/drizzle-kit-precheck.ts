import { drizzleKitPrecheck } from '../src/commands/drizzle-kit-precheck.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(drizzleKitPrecheck);
