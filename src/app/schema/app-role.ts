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
export const inPostableConversations = (conversationId: AnyPgColumn) =>
  sql`${conversationId} in (select conversations_security.current_user_postable_conversation_ids())`;
