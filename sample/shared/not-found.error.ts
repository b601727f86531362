/** An account or transfer that does not exist (404). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';

  constructor(
    readonly resource: 'account' | 'transfer',
    readonly id: string,
    /**
     * It exists in the event store but the read model has not caught up with it yet (the
     * projection follows writes a settle window behind): a client should retry shortly.
     */
    readonly notProjectedYet = false,
  ) {
    const what = `${resource === 'account' ? 'Account' : 'Transfer'} "${id}"`;
    super(
      notProjectedYet
        ? `${what} exists but is not in the read model yet (it follows writes a fraction of a second behind). Retry shortly.`
        : `${what} does not exist.`,
    );
  }
}
