/**
 * What a refusal says when the database may simply be the wrong one. The library cannot know how its
 * caller connected, so it says this; the commands, which know, name the database instead
 * (`nameTheDatabase` in src/operator/commands/explain.ts): DATABASE_URL when it is set, else the
 * embedded PGlite folder, never a DATABASE_URL that is not set.
 */
export const checkTheDatabase = 'check that you are connected to the database you meant';
