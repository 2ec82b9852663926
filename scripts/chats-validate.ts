import { chatsValidate } from '../src/operator/commands/chats-validate.js';
import { runAsProcess } from '../src/operator/commands/process.js';

await runAsProcess(chatsValidate);
