import { chatsValidate } from '../src/commands/chats-validate.js';
import { runAsProcess } from '../src/commands/process.js';

await runAsProcess(chatsValidate);
