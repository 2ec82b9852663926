import { counted } from '../../app/counted.js';
import { differenceAdvice } from '../cutover/difference-advice.js';
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
    `Orphan sessions (no move): ${s.orphans}, with ${counted(m.inOrphanSessions, 'message')}: ${s.orphanAction}.`,
    ...(m.withoutSession.length
      ? [
          `Messages whose session does not exist (the foreign key was bypassed): ${m.withoutSession.length}; never moved, chats:validate fails them and the drop refuses them. Restore each session or delete each message: ${m.withoutSession.slice(0, 10).join(', ')}${m.withoutSession.length > 10 ? ', ...' : ''}`,
        ]
      : []),
  ];
  if (s.orphanIds.length) out.push(`  ${ids(s.orphanIds)}`);
  out.push(
    `Participants to create: ${plan.participants.aiToCreate} AI, ${counted(plan.participants.ownersToCreate, 'employee owner')}.`,
    `Owners of ${counted(o.moves, 'move')} (moves -> employees -> users by email, trimmed, case-insensitive): ` +
      `${o.exactEmail} exact, ${o.differentCaseOrSpaces} differing in case or spaces, ` +
      `${o.missing.length} with no user, ${o.ambiguous.length} ambiguous (no owner inserted for these two).`,
  );
  for (const p of o.missing)
    out.push(
      `  no user:   move ${p.moveId} (employee ${p.employeeId}, ${JSON.stringify(p.employeeEmail)}), ${counted(p.sessions, 'session')}`,
    );
  for (const p of o.ambiguous)
    out.push(
      `  ambiguous: move ${p.moveId} (employee ${p.employeeId}, ${JSON.stringify(p.employeeEmail)}) matches ${counted(p.matchingUsers, 'user')}, ${counted(p.sessions, 'session')}`,
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
    `Moved in ${counted(r.batches, 'batch', 'batches')} of up to ${counted(r.batchSize, 'row')} in ${(r.durationMs / 1000).toFixed(2)}s, orphans: ${r.orphanPolicy}`,
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
    `Participants: ${c.aiParticipantsInserted} AI inserted, ${counted(c.ownersInserted, 'employee owner')} inserted, ${c.ownersRemoved} removed (owner changed).`,
  ];
  if (r.retries.length) {
    out.push(
      `Retried ${counted(r.retries.length, 'time')}: ${[...new Set(r.retries.map((t) => t.batch))].join(', ')} (lock timeouts or conflicts; each retry ran the whole batch again).`,
    );
  }
  if (r.liveAt) {
    out.push(
      `The new app is live since ${r.liveAt.toISOString()}: the new tables win, so this run only added legacy rows that had no copy and rewrote nothing.` +
        (r.leftAsNewAppWrote > 0
          ? ` ${counted(r.leftAsNewAppWrote, 'row')} ${r.leftAsNewAppWrote === 1 ? 'differs' : 'differ'} between the shapes and ${r.leftAsNewAppWrote === 1 ? 'was' : 'were'} left as the new app wrote them; \`npm run chats:validate\` lists them.`
          : ''),
    );
  }
  if (r.conversationsKept.length) {
    out.push(
      `Kept ${counted(r.conversationsKept.length, 'moved conversation')} whose legacy session is gone, because the new app wrote messages in ${r.conversationsKept.length === 1 ? 'it' : 'them'}: ${ids(r.conversationsKept)}`,
    );
  }
  if (reasons.size === 0) out.push('Every legacy row is in the new tables.');
  else {
    out.push(
      `Not in the new tables: ${counted(r.notMoved.sessions.length, 'session')}, ${counted(r.notMoved.messages.length, 'message')}:`,
    );
    for (const [reason, t] of reasons)
      out.push(`  ${counted(t.sessions, 'session')}, ${counted(t.messages, 'message')}: ${reason}`);
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
  out.push('', validationVerdict(v));
  return out.join('\n');
}

/**
 * The last line: passed, or what to run (the drop guard's advice, src/operator/cutover/difference-advice.ts).
 * Under --orphans keep the gate accounts for kept orphans, but the drop would lose them: say so.
 */
function validationVerdict(v: ValidationResult): string {
  if (v.ok) {
    const kept = v.orphanPolicy === 'keep' ? v.totals.keptSessions : 0;
    if (kept === 0)
      return 'Validation passed: every legacy row is moved or accounted for by the orphan policy.';
    const advice = differenceAdvice({ 'orphan-not-archived': kept }, 'keep');
    return `Validation passed under --orphans keep, but the drop refuses while kept orphans remain: ${advice.sentences.join(' ')}`;
  }
  const advice = differenceAdvice(v.differences, v.recordedOrphanPolicy);
  const steps = advice.sentences.length
    ? advice.sentences.join(' ')
    : 'Run `npm run chats:migrate` again (it converges), then validate again.';
  return `Validation FAILED. ${steps}`;
}

export function formatRollback(r: RollbackResult): string {
  const out = [
    `Rolled back in ${counted(r.batches, 'batch', 'batches')}: removed ${counted(r.conversationsDeleted, 'conversation')}, ${counted(r.messagesDeleted, 'message')} ` +
      `(with their participants and ledger rows) and ${counted(r.archiveDeleted, 'archive row')}. The legacy tables are untouched.`,
  ];
  if (r.archiveKept.length) {
    out.push(
      `Kept ${counted(r.archiveKept.length, 'archive row')} whose legacy session no longer exists (the archive is the only copy): ${ids(r.archiveKept)}`,
    );
  }
  return out.join('\n');
}

/** The stderr line of one retried batch. */
export function retryLine(r: BatchRetry): string {
  return `${r.batch} attempt ${r.attempt} of ${r.attempts} failed (${r.code}: ${r.reason}); retrying in ${r.backoffMs} ms`;
}
