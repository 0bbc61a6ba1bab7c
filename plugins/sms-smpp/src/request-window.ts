/** A counting semaphore: at most `size` requests outstanding on an SMPP session, the rest queue in arrival order. */
export class RequestWindow {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /** Resolves with a release function once a slot is free; call it exactly once when the response (or failure) came. */
  async acquire(): Promise<() => void> {
    if (this.inUse >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      const next = this.waiting.shift();
      if (next === undefined) this.inUse--;
      else next();
    };
  }
}
