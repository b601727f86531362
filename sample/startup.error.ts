/** A start-up failure whose message says all there is to say (port taken, DynamoDB unreachable): printed without a stack. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
