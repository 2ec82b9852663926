import { drizzleKitPrecheck } from '../src/operator/commands/drizzle-kit-precheck.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(drizzleKitPrecheck);
