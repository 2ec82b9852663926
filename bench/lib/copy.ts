import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type postgres from 'postgres';

export type CopyValue = string | number | boolean | null | object;

/** One value in COPY's text format: \N for NULL, JSON for objects, special characters escaped. */
function encode(value: CopyValue): string {
  if (value === null) return '\\N';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

function* chunks(rows: Iterable<CopyValue[]>): Generator<string> {
  let buffer = '';
  for (const row of rows) {
    buffer += `${row.map(encode).join('\t')}\n`;
    if (buffer.length > 1 << 16) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/** Streams rows into a table with COPY FROM STDIN (far faster than INSERTs); returns the row count. */
export async function copyRows(
  sql: postgres.Sql,
  table: string,
  columns: readonly string[],
  rows: Iterable<CopyValue[]>,
): Promise<number> {
  let count = 0;
  const counted = (function* () {
    for (const row of rows) {
      count++;
      yield row;
    }
  })();
  const writable = await sql
    .unsafe(`COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`)
    .writable();
  await pipeline(Readable.from(chunks(counted)), writable);
  return count;
}
