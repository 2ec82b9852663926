import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZodError, ZodType } from 'zod';
import * as schemas from '../src/app/zod/index.js';

// Apps put these schemas at their API boundary, in front of anything a client sends. Whatever
// arrives, parsing must end in a value or a ZodError: never a TypeError from inside a refinement or
// transform, never a hang. fast-check feeds each schema random values of every shape, plus objects
// built from the schema's own field names with values of the wrong types.

const zodSchemas: [string, ZodType][] = Object.entries(schemas as Record<string, unknown>).flatMap(
  ([name, value]) => (value instanceof ZodType ? [[name, value] as [string, ZodType]] : []),
);

const fieldNames = [
  'id',
  'moveId',
  'conversationId',
  'userId',
  'authorId',
  'authorType',
  'participantType',
  'role',
  'title',
  'type',
  'status',
  'content',
  'metadata',
  'toolCalls',
  'createdBy',
  'createdAt',
  'updatedAt',
  'joinedAt',
  'lastReadAt',
  'isEmail',
  'emailFrom',
  'emailTo',
  'emailSubject',
  'mentioned',
  'sessionId',
  'session',
  'messages',
  'reason',
  'archivedAt',
  '__proto__',
  'constructor',
  'toString',
];

// Values of every JSON and JavaScript shape, including the awkward ones (NaN, -0, huge strings,
// lone surrogates, deep nesting, Dates, prototype-less objects).
const anyValue = fc.oneof(
  fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    Number.NaN,
    -0,
    Number.POSITIVE_INFINITY,
    '',
    ' ',
    '\u0000',
    '\ud800',
    '2026-13-45T99:99:99Z',
  ),
);

const shapedLikeARow = fc.dictionary(fc.constantFrom(...fieldNames), anyValue, { maxKeys: 12 });

function parseOutcome(schema: ZodType, input: unknown): 'ok' | 'zod-error' {
  try {
    schema.parse(input);
    return 'ok';
  } catch (error) {
    if (error instanceof ZodError) return 'zod-error';
    throw error;
  }
}

describe('zod schemas under random input', () => {
  it('covers every exported schema', () => {
    expect(zodSchemas.length).toBeGreaterThanOrEqual(18);
  });

  it.each(zodSchemas)(
    '%s: parse ends in a value or a ZodError, and safeParse never throws',
    (_name, schema) => {
      fc.assert(
        fc.property(fc.oneof(anyValue, shapedLikeARow), (input) => {
          const outcome = parseOutcome(schema, input);
          const safe = schema.safeParse(input);
          expect(safe.success).toBe(outcome === 'ok');
          if (!safe.success) expect(safe.error).toBeInstanceOf(ZodError);
        }),
        { numRuns: 300, seed: 20261122 },
      );
    },
  );
});
