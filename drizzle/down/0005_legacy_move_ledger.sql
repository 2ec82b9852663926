-- Down of 0005_legacy_move_ledger: drop the ledger of the legacy chat move. Without it nothing can
-- tell a moved conversation or message from one the app wrote, so chats:rollback and the lossless
-- refill of the legacy tables (the down of 0006) stop being possible: reverse this step only once the
-- legacy tables are back and the moved rows are no longer needed, or after `npm run chats:rollback`.
-- The conversations, participants and messages themselves stay.
DROP TABLE "public"."legacy_chat_moved_messages";
--> statement-breakpoint
DROP TABLE "public"."legacy_chat_moved_sessions";
