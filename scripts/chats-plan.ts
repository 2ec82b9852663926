import { chatsPlan } from '../src/operator/commands/chats-plan.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(chatsPlan);
