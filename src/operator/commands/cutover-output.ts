import type { CutoverStatus } from '../cutover/index.js';

const next: Record<CutoverStatus['phase'], string> = {
  'before-expand':
    'next: npm run db:migrate -- --to <the expand tag> (db:migrate names it), then chats:migrate',
  expand: 'next: npm run chats:migrate (the backfill), then chats:validate',
  backfill: 'next: npm run chats:validate, then chats:cutover when the new app goes live',
  live: 'next: keep the legacy tables for the retention period (seed 000: a week), then npm run db:migrate (the drop)',
  dropped: 'the legacy tables are gone; undo with npm run db:rollback -- --to <the expand tag>',
};

export function formatCutoverStatus(status: CutoverStatus): string {
  const lines = [`Phase: ${status.phase}`, `Sync: ${status.sync}`];
  for (const t of status.triggers) {
    lines.push(
      `  ${t.trigger} on ${t.table}: ${t.present ? (t.enabled ? 'enabled' : 'DISABLED') : 'missing'}`,
    );
  }
  lines.push(
    `Orphan policy applied by the sync: ${status.orphanPolicy ?? 'none yet (chats:migrate records it)'}`,
  );
  if (status.liveAt) {
    lines.push(`Live since ${status.liveAt.toISOString()} (${duration(status.liveForSeconds ?? 0)} ago)`);
  } else {
    lines.push('Not live yet (chats:cutover marks it)');
  }
  lines.push(next[status.phase]);
  return lines.join('\n');
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min ${s % 60} s`;
}
