-- Custom migration: the policies no longer call the participant checks of 0003 (0007 replaced them
-- with the functions of conversations_security), and functions left in public are what a planted
-- overload would make ambiguous for any other caller. Drop them.
DROP FUNCTION "public"."conversations_user_can_post"(uuid);
--> statement-breakpoint
DROP FUNCTION "public"."conversations_user_is_participant"(uuid);
--> statement-breakpoint
DROP FUNCTION "public"."conversations_current_user_id"();
