import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own folder (drizzle/, drizzle.config.ts): two up from src/operator/commands or dist/commands. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
