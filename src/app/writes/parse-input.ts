import type { z } from 'zod';
import { InvalidInputError } from '../errors/write-errors.js';

/** Parses a write helper's input with its zod schema, or throws InvalidInputError naming each field. */
export function parseInput<S extends z.ZodType>(what: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(what, parsed.error);
  return parsed.data;
}
