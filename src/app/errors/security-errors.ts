/** A withUserStatement callback sent a second statement; the first one was committed. */
export class WithUserStatementError extends Error {
  override readonly name = 'WithUserStatementError';
  constructor(
    /** The refused statement's text, as sent to the driver. */
    readonly statement: string,
  ) {
    super(
      `withUserStatement: the callback sent a second statement (${abbreviated(statement)}), which was not run; the first one was already committed. Send one statement per withUserStatement call, or use withUser for several statements in one transaction.`,
    );
  }
}

function abbreviated(statement: string): string {
  const oneLine = statement.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}
