import type {
  BatchRetry,
  MovePlan,
  MoveResult,
  RollbackResult,
  ValidationResult,
} from '../legacy-move/index.js';
import { formatTable } from './table.js';

// Human-readable output of the chats:* commands (and the demo). --json prints the library's objects.

const ids = (list: string[], shown = 10) =>
  list.length <= shown
    ? list.join(', ')
    : `${list.slice(0, shown).join(', ')} and ${list.length - shown} more`;

export function formatPlan(plan: MovePlan): string {
  const { sessions: s, messages: m, owners: o } = plan;
  const out = [
    `Plan (dry run, nothing written), orphans: ${plan.orphanPolicy}`,
    '',
    formatTable(
      ['legacy', 'rows', 'become', 'new', 'already moved', 'to delete'],
      [
        ['chat_sessions', s.total, 'conversations', s.toCreate, s.alreadyMoved, s.toDelete],
        ['chat_messages', m.total, 'messages', m.toCreate, m.alreadyMoved, ''],
      ],
    ),
    '',
    formatTable(
      ['role', 'author_type', 'messages', 'in sessions to move'],
      m.byRole.map((r) => [r.role, r.authorType, r.count, r.moved]),
    ),
    '',
    `Orphan sessions (no move): ${s.orphans}, with ${m.inOrphanSessions} messages: ${s.orphanAction}.`,
    ...(m.withoutSession.length
      ? [
          `Messages whose session does not exist (the foreign key was bypassed): ${m.withoutSession.length}; never moved, chats:validate fails them and the drop refuses them. Restore each session or delete each message: ${m.withoutSession.slice(0, 10).join(', ')}${m.withoutSession.length > 10 ? ', ...' : ''}`,
        ]
      : []),
  ];
  if (s.orphanIds.length) out.push(`  ${ids(s.orphanIds)}`);
  out.push(
    `Participants to create: ${plan.participants.aiToCreate} AI, ${plan.participants.ownersToCreate} employee owners.`,
    `Owners of ${o.moves} moves (moves -> employees -> users by email, trimmed, case-insensitive): ` +
      `${o.exactEmail} exact, ${o.differentCaseOrSpaces} differing in case or spaces, ` +
      `${o.missing.length} with no user, ${o.ambiguous.length} ambiguous (no owner inserted for these two).`,
  );
  for (const p of o.missing)
    out.push(`  no user:   move ${p.moveId} (employee ${p.employeeId}), ${p.sessions} sessions`);
  for (const p of o.ambiguous)
    out.push(
      `  ambiguous: move ${p.moveId} (employee ${p.employeeId}) matches ${p.matchingUsers} users, ${p.sessions} sessions`,
    );
  out.push(
    '',
    'Legacy values the new schema does not take as they are:',
    formatTable(
      ['value', 'rows', 'becomes'],
      plan.legacyValues.map((v) => [v.value, v.rows, v.becomes]),
    ),
  );
  return out.join('\n');
}

export function formatMoveResult(r: MoveResult): string {
  const c = r.counts;
  const reasons = new Map<string, { sessions: number; messages: number }>();
  for (const s of r.notMoved.sessions) {
    const t = reasons.get(s.reason) ?? { sessions: 0, messages: 0 };
    t.sessions++;
    reasons.set(s.reason, t);
  }
  for (const m of r.notMoved.messages) {
    const t = reasons.get(m.reason) ?? { sessions: 0, messages: 0 };
    t.messages++;
    reasons.set(m.reason, t);
  }
  const out = [
    `Moved in ${r.batches} batches of up to ${r.batchSize} rows in ${(r.durationMs / 1000).toFixed(2)}s, orphans: ${r.orphanPolicy}`,
    '',
    formatTable(
      ['legacy -> new', 'legacy rows', 'moved rows', 'inserted', 'updated', 'deleted'],
      [
        [
          'chat_sessions -> conversations',
          r.legacy.sessions,
          r.moved.conversations,
          c.conversationsInserted,
          c.conversationsUpdated,
          c.conversationsDeleted,
        ],
        [
          'chat_messages -> messages',
          r.legacy.messages,
          r.moved.messages,
          c.messagesInserted,
          c.messagesUpdated,
          c.messagesDeleted,
        ],
        [
          'orphans -> chat_session_archive',
          '',
          r.moved.archivedSessions,
          c.archiveInserted,
          c.archiveUpdated,
          c.archiveDeleted,
        ],
      ],
    ),
    '',
    `Participants: ${c.aiParticipantsInserted} AI inserted, ${c.ownersInserted} employee owners inserted, ${c.ownersRemoved} removed (owner changed).`,
  ];
  if (r.retries.length) {
    out.push(
      `Retried ${r.retries.length} times: ${[...new Set(r.retries.map((t) => t.batch))].join(', ')} (lock timeouts or conflicts; each retry ran the whole batch again).`,
    );
  }
  if (r.liveAt) {
    out.push(
      `The new app is live since ${r.liveAt.toISOString()}: the new tables win, so this run only added legacy rows that had no copy and rewrote nothing.` +
        (r.leftAsNewAppWrote > 0
          ? ` ${r.leftAsNewAppWrote} rows differ between the shapes and were left as the new app wrote them; \`npm run chats:validate\` lists them.`
          : ''),
    );
  }
  if (r.conversationsKept.length) {
    out.push(
      `Kept ${r.conversationsKept.length} moved conversations whose legacy session is gone, because the new app wrote messages in them: ${ids(r.conversationsKept)}`,
    );
  }
  if (reasons.size === 0) out.push('Every legacy row is in the new tables.');
  else {
    out.push(
      `Not in the new tables: ${r.notMoved.sessions.length} sessions, ${r.notMoved.messages.length} messages:`,
    );
    for (const [reason, t] of reasons)
      out.push(`  ${t.sessions} sessions, ${t.messages} messages: ${reason}`);
    const keptIds = r.notMoved.sessions.filter((s) => !s.reason.startsWith('archived')).map((s) => s.id);
    if (keptIds.length) out.push(`  sessions: ${ids(keptIds)}`);
  }
  return out.join('\n');
}

export function formatValidation(v: ValidationResult, shownIds = 10): string {
  const t = v.totals;
  const out = [
    formatTable(
      ['table', 'rows', 'moved', 'archived', 'kept (orphans)'],
      [
        ['chat_sessions', t.legacySessions, t.movedConversations, t.archivedSessions, t.keptSessions],
        ['chat_messages', t.legacyMessages, t.movedMessages, t.archivedMessages, t.keptMessages],
        ['conversations', t.movedConversations + t.otherConversations, t.movedConversations, '', ''],
        ['messages', t.movedMessages + t.otherMessages, t.movedMessages, '', ''],
      ],
    ),
    `(conversations and messages the new app wrote itself: ${t.otherConversations} and ${t.otherMessages}; checked against their legacy rows too)`,
    '',
    formatTable(
      ['check', 'result', 'failing'],
      v.checks.map((c) => [c.check, c.ok ? 'ok' : 'FAIL', c.failing]),
    ),
  ];
  const failed = v.checks.filter((c) => !c.ok);
  if (failed.length) {
    out.push('', 'Failing ids:');
    for (const c of failed) out.push(`  ${c.check}: ${ids(c.failingIds, shownIds)}`);
  }
  out.push(
    '',
    v.ok
      ? 'Validation passed: every legacy row is moved or accounted for by the orphan policy.'
      : 'Validation FAILED. Run `npm run chats:migrate` again (it converges), then validate again.',
  );
  return out.join('\n');
}

export function formatRollback(r: RollbackResult): string {
  const out = [
    `Rolled back in ${r.batches} batches: removed ${r.conversationsDeleted} conversations, ${r.messagesDeleted} messages ` +
      `(with their participants and ledger rows) and ${r.archiveDeleted} archive rows. The legacy tables are untouched.`,
  ];
  if (r.archiveKept.length) {
    out.push(
      `Kept ${r.archiveKept.length} archive rows whose legacy session no longer exists (the archive is the only copy): ${ids(r.archiveKept)}`,
    );
  }
  return out.join('\n');
}

/** The stderr line of one retried batch. */
export function retryLine(r: BatchRetry): string {
  return `${r.batch} attempt ${r.attempt} of ${r.attempts} failed (${r.code}: ${r.reason}); retrying in ${r.backoffMs} ms`;
}
