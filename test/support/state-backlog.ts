/** Session state writes not yet in the store, as a gateway's /healthz reports them. */
export async function pendingStateWrites(url: string): Promise<number> {
  const health = (await (await fetch(`${url}/healthz`)).json()) as { stateStore?: { pending?: number } };
  const pending = health.stateStore?.pending;
  if (typeof pending !== 'number') throw new Error(`/healthz of ${url} reports no stateStore.pending`);
  return pending;
}

/** Waits until every state write has reached the store (polling /healthz: no event to await across processes). */
export async function stateFlushed(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await pendingStateWrites(url)) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the state of ${url} was not flushed within ${timeoutMs} ms`);
}
