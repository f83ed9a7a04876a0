/** A list that tests can await: `until(pred)` resolves once the items satisfy `pred`. */
export class WaitableList<T> {
  readonly items: T[] = [];
  private waiters: Array<{ pred: (items: T[]) => boolean; resolve: () => void }> = [];

  push(item: T): void {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(this.items)) return true;
      w.resolve();
      return false;
    });
  }

  until(pred: (items: T[]) => boolean): Promise<T[]> {
    if (pred(this.items)) return Promise.resolve(this.items);
    return new Promise((resolve) => this.waiters.push({ pred, resolve: () => resolve(this.items) }));
  }

  /** Resolves with the first item matching `pred` (already there or still to come). */
  async find(pred: (item: T) => boolean): Promise<T> {
    await this.until((items) => items.some(pred));
    return this.items.find(pred)!;
  }

  get length(): number {
    return this.items.length;
  }
}
