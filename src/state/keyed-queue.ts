/**
 * Runs async work one at a time per key, in arrival order, inside this process. Used so that events for one
 * conversation commit in the order they came, and so that this process never races itself on a
 * compare-and-set (only other processes can make it retry).
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    // Nothing queued: start now rather than a tick later (this is on every transition's path).
    const result = previous ? previous.then(work) : work();
    const settled = (): void => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    const tail: Promise<void> = result.then(settled, settled);
    this.tails.set(key, tail);
    return result;
  }

  /** Resolves when everything queued so far (for every key) has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
