export * from './conversation-messages.js';
export * from './explain.js';
export * from './move-conversations.js';
export * from './user-conversations.js';
