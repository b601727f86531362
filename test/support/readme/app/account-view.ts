/** A read model of one account, built by replaying its stream. */
export interface AccountView {
  apply(event: object, version: number): Promise<void>;
}
