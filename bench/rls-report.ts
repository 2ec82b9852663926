import type { RlsResult, Timing } from './rls.js';
import { userKindTitles } from './rls.js';

/** The heading that starts the row-level security section; `--only rls` replaces from it to the next `## `. */
export const rlsHeading = '## 4. Row-level security: the owner against the app role';

const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : 'n/a');
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : 'n/a');
/** p50 and p95 of `app` over those of `owner`, from the same rounds. */
const ratios = (app: Timing, owner: Timing) => `${ratio(app.p50, owner.p50)}, ${ratio(app.p95, owner.p95)}`;

/** The analysis lives in one place, the README; the section points to it. */
const whereTheTimeGoes =
  "Where the app role's extra time goes (EXPLAIN as the owner and as the app role: a fixed cost per table read, the user's participant rows read and hashed (no policy function call since 0022), a hash probe per row read, no worse plan; a never-read conversation's unread count from message_count, no message read), what was tried and what is left: README, Security, \"Where the app role's extra time goes\".";

/** How the server-time misses read: a fixed cost that is large only against the cheapest statements. */
function serverMissLine(misses: { owner: number; ratio: number }[], rows: number): string {
  if (misses.length === 0) return 'On server time every row meets it too.';
  const owners = misses.map((m) => m.owner);
  const ratios = misses.map((m) => m.ratio);
  return `On server time ${misses.length} of the ${rows} rows miss theirs (p95 ${Math.min(...ratios).toFixed(2)}x to ${Math.max(...ratios).toFixed(2)}x): statements that take ${ms(Math.min(...owners))} to ${ms(Math.max(...owners))} as the owner (p50), against which the fixed cost of reading the user's participant rows once per table read is large.`;
}

/** Issue 17's targets: p95 within 1.3x of the owner (the insert 1.5x), every query under 20 ms p95. */
export function rlsSection(r: RlsResult, startedAt: string, dataLine: string): string[] {
  const out = [rlsHeading, ''];
  out.push(
    `Run ${startedAt}. ${dataLine} Each query is the function in \`src/app/queries/\`, run through drizzle on postgres.js as a named prepared statement, as the package's query functions and \`postMessage\` send it (\`src/app/prepared.ts\`) (one connection for the owner, one for the app role, as separate pools would be), ${r.runs} rounds after ${r.warmUp} warm-up rounds, at a load average of ${r.load.start.toFixed(1)} when they began and ${r.load.end.toFixed(1)} when they ended (2 cores, shared with other engineers' runs). In each round the owner and the app role run the statement once each, taking turns going first (so neither always meets a cache the other warmed), timed by the client; then once each as \`EXPLAIN (ANALYZE, TIMING OFF) EXECUTE\` of the same statement PREPAREd on that connection, timed by the server (planning + execution; once PostgreSQL caches the generic plan, as it does for the package's prepared statements, planning the policies is no longer paid per execution: no network, no driver, no event loop). "app" is the statement inside \`withUser\`, timed from the callback's start to the statement's result (withUser's set_config is pipelined ahead of it, so its execution, not a round trip, is included); "withUser" adds BEGIN and COMMIT (two round trips in all); "withUserStatement" is the same statement through \`withUserStatement\`, which sends COMMIT right behind it (BEGIN, set_config, the statement and COMMIT in one round trip), timed in the same rounds. Policy calls: calls of the policies' SECURITY DEFINER functions per execution (\`pg_stat_get_xact_function_calls\`, \`track_functions = all\`). Targets (issue 17): every query's app p95 within 1.3x of the owner's and under 20 ms; the insert as the user within 1.5x of the owner's (autocommit) insert, judged on withUserStatement (the package's one-round-trip form for a single write; withUser's figure is given beside it); judged on client time, and given for server time too.`,
    '',
  );
  out.push(
    '| user | conversations | largest (messages) |',
    '| --- | ---: | ---: |',
    ...r.users.map(
      (u) =>
        `| ${userKindTitles[u.kind]} | ${u.conversations} | ${u.biggestMessages.toLocaleString('en-US')} |`,
    ),
    '',
  );
  out.push(
    '| query | user | owner p50 / p95 | app p50 / p95 | app / owner: p50, p95 | server: owner p50 / p95 | server: app p50 / p95 | server app / owner: p50, p95 | withUser p50 / p95 | withUser / owner: p50, p95 | withUserStatement p50 / p95 | withUserStatement / owner: p50, p95 | policy calls | target (client; server) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  const misses: string[] = [];
  const serverMisses: { owner: number; ratio: number }[] = [];
  for (const row of r.rows) {
    const insert = row.query === 'insert';
    const limit = insert ? 1.5 : 1.3;
    const client = insert ? row.appOneTrip.p95 : row.app.p95;
    const met = (app: number, owner: number) => app / owner <= limit && (insert || app < 20);
    const clientMet = met(client, row.owner.p95);
    const serverMet = met(row.server.app.p95, row.server.owner.p95);
    if (!clientMet) misses.push(`${row.query} (${userKindTitles[row.user]})`);
    if (!serverMet)
      serverMisses.push({ owner: row.server.owner.p50, ratio: row.server.app.p95 / row.server.owner.p95 });
    const verdict = (ok: boolean) => (ok ? 'met' : '**MISSED**');
    out.push(
      `| ${row.query}: ${row.title} | ${userKindTitles[row.user]} | ${ms(row.owner.p50)} / ${ms(row.owner.p95)} | ${ms(row.app.p50)} / ${ms(row.app.p95)} | ${ratios(row.app, row.owner)} | ${ms(row.server.owner.p50)} / ${ms(row.server.owner.p95)} | ${ms(row.server.app.p50)} / ${ms(row.server.app.p95)} | ${ratios(row.server.app, row.server.owner)} | ${ms(row.appTotal.p50)} / ${ms(row.appTotal.p95)} | ${ratios(row.appTotal, row.owner)} | ${ms(row.appOneTrip.p50)} / ${ms(row.appOneTrip.p95)} | ${ratios(row.appOneTrip, row.owner)} | ${row.policyCalls} | ${verdict(clientMet)}; ${verdict(serverMet)} (${insert ? 'withUserStatement' : 'statement'} p95 <= ${limit}x${insert ? '' : ', < 20 ms'}) |`,
    );
  }
  out.push(
    '',
    '### One user in more and more conversations',
    '',
    `The newest 50 of 1,000 messages of one conversation, for a user who takes part in N of 100,000 conversations (the others belong to 10,000 users), as the owner and as that user through withUser (statement time), ${Math.min(r.runs, 50)} interleaved runs each. The policies hash the user's whole conversation set once per query: this is how far the chosen form scales.`,
    '',
    '| conversations of the user | owner p50 / p95 | app p50 / p95 | p50 app / owner |',
    '| ---: | ---: | ---: | ---: |',
    ...r.wide.map(
      (w) =>
        `| ${w.conversations.toLocaleString('en-US')} | ${ms(w.owner.p50)} / ${ms(w.owner.p95)} | ${ms(w.app.p50)} / ${ms(w.app.p95)} | ${ratio(w.app.p50, w.owner.p50)} |`,
    ),
  );
  out.push(
    '',
    misses.length === 0
      ? `Every row meets its target on client time (what the app waits for). ${serverMissLine(serverMisses, r.rows.length)}`
      : `Missed (client time): ${misses.join(', ')}. Ratios of sub-millisecond p95s move with other load on this shared 2-core machine; the server columns and the policy-call column (no policy function call for a query since 0022) are the steadier facts.`,
    '',
    whereTheTimeGoes,
    '',
  );
  return out;
}
