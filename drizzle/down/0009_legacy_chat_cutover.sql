-- Down of 0009_legacy_chat_cutover: drop the cutover's state (the orphan policy the sync applies and the
-- go-live marker). Reverse 0010_legacy_chat_sync first: its triggers read this table.
DROP TABLE "public"."legacy_chat_cutover";
