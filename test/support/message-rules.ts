import { expect } from 'vitest';

/** Nouns the commands count; "1 <noun>s" is a slip (counted() in src/app/counted.ts says "1 <noun>"). */
const countedNouns =
  'sessions|messages|rows|attempts|migrations|problems|conversations|moves|users|employees|batches|tables|orphans|times|owners|participants|archive rows';

/**
 * The slips issue 14 found in what the commands print, as rules every refusal a test meets is held to:
 * a sentence ended twice (".."), "1 sessions", and, on the embedded PGlite database (DATABASE_URL
 * unset), a DATABASE_URL named as if it were set.
 */
export function messageSlips(text: string, env?: NodeJS.ProcessEnv): string[] {
  const slips: string[] = [];
  const doubled = /(?:^|[^.])(\.\.)(?!\.)/.exec(text);
  if (doubled) slips.push(`".." in: ${text.slice(Math.max(0, doubled.index - 40), doubled.index + 10)}`);
  const plural = new RegExp(`(?:^|[^\\d.,])1 (${countedNouns})\\b`).exec(text);
  if (plural) slips.push(`"${plural[0].trim()}"`);
  if (env && !env.DATABASE_URL) {
    const unsetNamed = text.replace(
      /DATABASE_URL is not set|DATABASE_URL is unset|\(DATABASE_URL unset\)/g,
      '',
    );
    if (unsetNamed.includes('DATABASE_URL')) slips.push('names DATABASE_URL, which is not set (PGlite)');
  }
  return slips;
}

export function expectNoSlips(text: string, env?: NodeJS.ProcessEnv): void {
  expect(messageSlips(text, env), text).toEqual([]);
}
