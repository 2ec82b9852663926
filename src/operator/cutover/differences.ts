// Every way the legacy tables (chat_sessions / chat_messages) and the new ones can differ under the
// mapping: the one definition of "equal" (and of "accounted for") that the gate (chats:validate) and
// the drop's guard share. The SQL that finds them is conversations_cutover.legacy_chat_differences(), rendered into
// the sync migration by ./sync-sql.ts from the mapping in src/operator/legacy-move/mapping.ts.

export const differenceKinds = {
  'session-missing': 'every session with a move is a conversation',
  'session-different': 'every moved session equals its conversation under the mapping',
  'orphan-not-archived': 'every orphan session is archived or attached to a move',
  'archive-different': 'every archived session equals its legacy session and messages',
  'moved-and-archived': 'no session is both moved and archived',
  'conversation-without-session': 'no conversation or archive row outlives its legacy session',
  'message-missing': 'every message of a moved session is moved',
  'message-different': 'every moved message equals its legacy message under the mapping',
  'message-without-legacy': 'no message outlives its legacy message',
  'message-without-session': 'every legacy message has its legacy session',
} as const;

export type DifferenceKind = keyof typeof differenceKinds;
export const differenceKindNames = Object.keys(differenceKinds) as DifferenceKind[];
