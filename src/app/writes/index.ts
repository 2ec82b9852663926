export * from './archive-conversation.js';
export * from './mark-read.js';
export * from './post-message.js';
export * from './start-conversation.js';
