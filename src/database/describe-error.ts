/**
 * One line describing `error` for a message: the message, or for an `AggregateError` without one
 * (Node's connect to a name with several addresses) the messages of its parts, or the SQLSTATE.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map(describeError).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (error.message) return error.message;
    return typeof code === 'string' ? code : error.name;
  }
  return String(error);
}
