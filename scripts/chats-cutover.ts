import { chatsCutover } from '../src/operator/commands/chats-cutover.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(chatsCutover);
