/** An account opened with an id that is taken (409). */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';

  constructor(
    readonly resource: 'account' | 'transfer',
    readonly id: string,
  ) {
    super(`${resource === 'account' ? 'Account' : 'Transfer'} "${id}" already exists. Choose another id, or leave it out to get a generated one.`);
  }
}
