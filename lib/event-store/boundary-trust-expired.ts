/**
 * Thrown before a write attempt (the SDK's own retries included) whose position came from the
 * boundary cache once the cache no longer trusts it: the append then reads the stream's head and
 * tries again. Never reaches the caller.
 */
export class BoundaryTrustExpired extends Error {
  constructor() {
    super('The cached stream boundary this write relied on is no longer trusted; reading the head.');
    this.name = 'BoundaryTrustExpired';
  }
}
