import { chatsPlan } from '../src/commands/chats-plan.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(chatsPlan);
