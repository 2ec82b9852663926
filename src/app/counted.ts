/**
 * A count with its noun, singular for exactly one: `counted(1, 'session')` is "1 session",
 * `counted(3, 'session')` "3 sessions", `counted(2, 'match', 'matches')` "2 matches". Every message
 * that counts something says it through this, so "1 sessions" cannot happen.
 */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
