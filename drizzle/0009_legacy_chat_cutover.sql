CREATE TABLE "legacy_chat_cutover" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"orphan_policy" text,
	"assign_move_id" uuid,
	"policy_set_at" timestamp with time zone,
	"live_at" timestamp with time zone,
	CONSTRAINT "legacy_chat_cutover_singleton" CHECK ("legacy_chat_cutover"."singleton"),
	CONSTRAINT "legacy_chat_cutover_orphan_policy" CHECK ("legacy_chat_cutover"."orphan_policy" in ('archive', 'keep', 'assign') and ("legacy_chat_cutover"."orphan_policy" = 'assign') = ("legacy_chat_cutover"."assign_move_id" is not null))
);
