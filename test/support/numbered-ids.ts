/**
 * The ids of the query tests' generated rows: conversation n is 00000000-0000-4000-8000-<n, 12 digits>,
 * move n 20000000-... (their SQL builds the same ids with lpad).
 */
const numbered = (prefix: string) => (n: number) =>
  `${prefix}-0000-4000-8000-${n.toString().padStart(12, '0')}`;

export const conversationId = numbered('00000000');
export const moveId = numbered('20000000');
