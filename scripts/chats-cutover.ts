import { chatsCutover } from '../src/commands/chats-cutover.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(chatsCutover);
