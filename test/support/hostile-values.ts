/** Values the bad-input tests feed to entry points: built here once. */

/** `{ next: { next: ... } }`, `depth` levels: deeper than JSON.stringify's recursion can go. */
export const nested = (depth: number): object => {
  const root: { next?: object } = {};
  let node = root;
  for (let i = 0; i < depth; i++) node = node.next = {};
  return root;
};

/** A Proxy of `target` already revoked: every operation on it throws. */
export const revoked = <T extends object>(target: T): T => {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
};
