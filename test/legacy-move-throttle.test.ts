import { describe, expect, it } from 'vitest';
import { moveLegacyChats } from '../src/operator/legacy-move/index.js';
import { assertThrottle, throttleDelayMs } from '../src/operator/legacy-move/throttle.js';
import { checksums, expandedDatabase } from './support/legacy-rows.js';

// chats:migrate --max-rate / --pause: the wait between batches, and bad values refused before the
// first write (the command's flags are in command-flags.test.ts).

describe('the throttle between batches', () => {
  it('waits until the rows covered are within the rate, plus the pause', () => {
    // 1,000 rows at 500 rows/s should take 2 s: 1.5 s in, wait 0.5 s more.
    expect(throttleDelayMs({ maxRate: 500 }, 1000, 1500)).toBe(500);
    // Behind the rate already: no wait.
    expect(throttleDelayMs({ maxRate: 500 }, 1000, 2500)).toBe(0);
    expect(throttleDelayMs({ pauseMs: 40 }, 1000, 10)).toBe(40);
    expect(throttleDelayMs({ maxRate: 500, pauseMs: 40 }, 1000, 1500)).toBe(540);
    expect(throttleDelayMs({}, 1000, 0)).toBe(0);
  });

  it.each([
    [{ maxRate: 0 }, 'maxRate must be a positive number of rows per second, not 0.'],
    [{ maxRate: Number.NaN }, 'maxRate must be a positive number of rows per second, not NaN.'],
    [{ maxRate: Number.POSITIVE_INFINITY }, 'maxRate must be a positive number'],
    [{ pauseMs: -1 }, 'pauseMs must be a whole number of milliseconds, 0 or more, not -1.'],
    [{ pauseMs: 0.5 }, 'pauseMs must be a whole number of milliseconds'],
  ])('refuses %j', (options, message) => {
    expect(() => assertThrottle(options)).toThrow(message);
  });

  it('moveLegacyChats refuses a bad throttle before the first write', async () => {
    const { database, handle } = await expandedDatabase('move_throttle');
    try {
      const before = await checksums(handle.db);
      await expect(moveLegacyChats(handle.db, { maxRate: -3 })).rejects.toThrow(
        'maxRate must be a positive number of rows per second, not -3.',
      );
      expect(await checksums(handle.db)).toEqual(before);
    } finally {
      await handle.close();
      await database.drop();
    }
  });
});
