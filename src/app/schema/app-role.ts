import { sql } from 'drizzle-orm';
import { type AnyPgColumn, pgRole } from 'drizzle-orm/pg-core';

/**
 * The role apps use to read and post as one user, under row-level security. Roles are cluster-wide
 * and every database on a server shares them, so drizzle-kit must not CREATE it per database (the
 * second database would fail): it is marked existing here and created idempotently by the custom
 * migration 0003_conversations_app_role, together with its grants.
 */
export const conversationsAppRole = pgRole('conversations_app').existing();

/** The setting that names the current user for one transaction (see withUser). */
export const currentUserSetting = 'app.user_id';

/**
 * The schema of the policies' helper functions (custom migration *_conversations_security_schema).
 * Not `public`: a role that may CREATE in public (the default before PostgreSQL 15) could plant an
 * overload there that makes every policy's call ambiguous or takes it over. Only the migrating role
 * may create objects in this schema.
 */
export const securitySchemaName = 'conversations_security';

// The policies call these functions. The conversation sets are SECURITY DEFINER set-returning
// functions so that a policy on conversation_participants can consult that same table without
// recursing into its own policy, and so that `column IN (SELECT f())` runs the function once per
// query (a hashed subplan) instead of once per row.
export const currentUserId = sql`conversations_security.current_user_id()`;
export const inUserConversations = (conversationId: AnyPgColumn) =>
  sql`${conversationId} in (select conversations_security.current_user_conversation_ids())`;
/**
 * The same set as inUserConversations, read inline: the user's own participant rows. For the policies of
 * the tables other than conversation_participants (on that table it would recurse into its own policy).
 * Read as conversations_app, those rows pass the participants policy's first test (`user_id =
 * current_user_id()`, an inlined comparison), so its set function is never called: the policy costs an
 * index scan and a hash, and no function call (14.5 us against 27 us a newest-50 page, measured in the
 * server on 1M messages, issue 17). Worth it only because the package's queries are prepared: the nested
 * policy costs more to plan.
 */
export const inOwnParticipations = (conversationId: AnyPgColumn) =>
  sql`${conversationId} in (select p.conversation_id from conversation_participants p where p.user_id = ${currentUserId})`;
export const inPostableConversations = (conversationId: AnyPgColumn) =>
  sql`${conversationId} in (select conversations_security.current_user_postable_conversation_ids())`;
