import type { ChainResult } from './chain.js';
import { median } from './lib/stats.js';
import { type BreakdownResult, variantNames } from './move-breakdown.js';

export const breakdownStart = '<!-- move-breakdown:start -->';
export const breakdownEnd = '<!-- move-breakdown:end -->';

const seconds = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
const ratio = (ms: number | undefined, seed: number | undefined) =>
  ms === undefined || !seed ? 'n/a' : `${(ms / seed).toFixed(2)}x`;
const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(0)} ms`);

export interface BreakdownContext {
  startedAt: string;
  /** The 1-minute load average at the start and at the end of the run (2 cores shared). */
  load: { start: number; end: number };
  quick: boolean;
  /** The whole migration chain applied to empty databases (PGlite and the server). */
  chain?: ChainResult;
}

/** The breakdown as a marked Markdown block (`npm run bench -- --only move` replaces it). */
export function renderBreakdown(results: readonly BreakdownResult[], context: BreakdownContext): string {
  const out = [breakdownStart, "### Where the move's time goes (`npm run bench -- --only move`)", ''];
  out.push(
    `Run ${context.startedAt}${context.quick ? ' (quick: small data, not for conclusions)' : ''}. Every row moves the same legacy data set (10 messages per session, 3% orphan sessions; the package's own target schema, indexes and triggers, \`last_message_at\` included) on its own \`CREATE DATABASE ... TEMPLATE\` copy, one after another, one run each; ratios are to the seed row of the same column. The seed rows run with the sync removed (seed 000 knows none); the \`chats:migrate\` rows run with the cutover sync installed and a concurrent old-app writer inserting a legacy message every ~10 ms (its p95 and longest insert are given). Load conditions: the machine's 2 cores are shared with other work; the 1-minute load average was ${context.load.start.toFixed(1)} at the start and ${context.load.end.toFixed(1)} at the end, so absolute times are noisy and only the ratios within a column mean much.`,
    '',
  );
  out.push(`| variant | ${results.map((r) => `${r.label} | x seed`).join(' | ')} |`);
  out.push(`| --- | ${results.map(() => '---: | ---:').join(' | ')} |`);
  const variants = [...new Set(results.flatMap((r) => r.rows.map((row) => row.variant)))];
  for (const variant of variants) {
    const cells = results.map((r) => {
      const seed = r.rows.find((row) => row.variant === variantNames.seed)?.ms;
      const row = r.rows.find((x) => x.variant === variant);
      const failed = row?.failure ? ` (failed: ${row.failure})` : '';
      return `${seconds(row?.ms)}${failed} | ${ratio(row?.ms, seed)}`;
    });
    out.push(`| ${variant} | ${cells.join(' | ')} |`);
  }
  out.push('');
  out.push(
    '| data set | re-run / full move | writer p95 / longest, full speed | writer p95 / longest, throttled | `db:check` after the drop: first run / later runs |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const full = r.rows.find((x) => x.variant === variantNames.ours);
    const rerun = r.rows.find((x) => x.variant === variantNames.rerun);
    const throttled = r.rows.find((x) => x.variant.startsWith(variantNames.throttled));
    const share = full && rerun ? `${((rerun.ms / full.ms) * 100).toFixed(0)}%` : 'n/a';
    const writer = (w: BreakdownResult['rows'][number] | undefined) =>
      w?.writer ? `${ms(w.writer.p95Ms)} / ${ms(w.writer.maxMs)}` : 'n/a';
    out.push(
      `| ${r.label} | ${share} | ${writer(full)} | ${throttled ? `${writer(throttled)} (--max-rate ${r.maxRate})` : 'not run'} | ${r.dbCheck ? `${seconds(r.dbCheck.coldMs)} / ${seconds(r.dbCheck.warmMs)}` : 'n/a'} |`,
    );
  }
  if (context.chain) {
    const c = context.chain;
    const all = (xs: number[]) => xs.map((x) => `${x.toFixed(0)} ms`).join(', ');
    out.push(
      '',
      `The whole migration chain (${c.migrations.length} migrations, \`${c.migrations[0]}\` to \`${c.migrations.at(-1)}\`) applied by \`migrateDatabase\` to an empty database, the migrate call alone, median of ${c.serverMs.length}: PostgreSQL server ${median(c.serverMs).toFixed(0)} ms (${all(c.serverMs)}); PGlite ${median(c.pgliteMs).toFixed(0)} ms (${all(c.pgliteMs)}). \`db:check\` above is the whole command (\`node --import tsx scripts/db-check.ts\`, process start included) on the database \`chats:migrate\` just moved, after \`db:migrate\` applied the drop (clean, every check doing its work): its first run after an install initialises PGlite for \`live-catalog\`'s reference and keeps a dump of it in \`node_modules/.cache\`; later runs load that dump.`,
    );
  }
  out.push('', breakdownEnd);
  return out.join('\n');
}

/** Replaces the marked block, or puts it before section 2 (or at the end) when there is none. */
export function spliceBreakdown(markdown: string, block: string): string {
  const start = markdown.indexOf(breakdownStart);
  const end = markdown.indexOf(breakdownEnd);
  if (start !== -1 && end !== -1) {
    return `${markdown.slice(0, start)}${block}${markdown.slice(end + breakdownEnd.length)}`;
  }
  const next = markdown.indexOf('\n## 2. ');
  if (next === -1) return `${markdown.trimEnd()}\n\n${block}\n`;
  return `${markdown.slice(0, next)}\n${block}\n${markdown.slice(next)}`;
}

/** The marked block of an existing report, to carry over when the rest is regenerated. */
export function breakdownBlock(markdown: string): string | undefined {
  const start = markdown.indexOf(breakdownStart);
  const end = markdown.indexOf(breakdownEnd);
  return start !== -1 && end !== -1 ? markdown.slice(start, end + breakdownEnd.length) : undefined;
}
