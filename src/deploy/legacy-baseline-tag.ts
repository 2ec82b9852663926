/** The first migration: the BEFORE state (host tables and the legacy chat tables), as the old app had it. */
export const legacyBaselineTag = '0000_legacy_baseline';
