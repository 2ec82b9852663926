import { sql } from 'drizzle-orm';
import { type AnyPgColumn, pgRole } from 'drizzle-orm/pg-core';

/**
 * The role apps use to read and post as one user, under row-level security. Roles are cluster-wide
 * and every database on a server shares them, so drizzle-kit must not CREATE it per database (the
 * second database would fail): it is marked existing here and created idempotently by the custom
 * migration 0003_conversations_app_role, together with its grants and the helper functions below.
 */
export const conversationsAppRole = pgRole('conversations_app').existing();

/** The setting that names the current user for one transaction (see withUser). */
export const currentUserSetting = 'app.user_id';

// The policies call these functions (created in 0003_conversations_app_role). The participant checks
// are SECURITY DEFINER so that a policy on conversation_participants can consult that same table
// without recursing into its own policy.
export const currentUserId = sql`public.conversations_current_user_id()`;
export const isParticipant = (conversationId: AnyPgColumn) =>
  sql`public.conversations_user_is_participant(${conversationId})`;
export const canPost = (conversationId: AnyPgColumn) =>
  sql`public.conversations_user_can_post(${conversationId})`;
