export * from './chat-session-archive.js';
export * from './conversations.js';
export * from './core.js';
export * from './enums.js';
export * from './legacy-move-ledger.js';
export type { MessageMetadata } from './message-metadata.js';
export * from './messages.js';
export * from './participants.js';
