import { runAsProcess } from '../src/operator/commands/process.js';
import { drizzleKitPrecheck } from '../src/repo/commands/drizzle-kit-precheck.js';

await runAsProcess(drizzleKitPrecheck);
