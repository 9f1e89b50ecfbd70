/**
 * Test hooks that hold the next call of a method before it runs, so a test can act while the bot waits for
 * Telegram (e.g. send a signal while a handler is in the middle of a reply).
 */

/** One held call. */
export interface CallHold {
  /** Resolves when a call of the method has arrived and is being held. */
  readonly reached: Promise<void>;
  /** Lets the held call (and any later one) go on. */
  release(): void;
}

interface PendingHold {
  method: string;
  arrived: () => void;
  released: Promise<void>;
}

export class CallHolds {
  private readonly holds: PendingHold[] = [];

  /** Holds the next call of `method` (case-insensitive) until `release()`. */
  hold(method: string): CallHold {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.holds.push({ method: method.toLowerCase(), arrived, released });
    return { reached, release };
  }

  /** Waits if a hold is set for this method; each hold catches one call. */
  async wait(method: string): Promise<void> {
    const index = this.holds.findIndex((h) => h.method === method.toLowerCase());
    if (index < 0) return;
    const [hold] = this.holds.splice(index, 1);
    hold.arrived();
    await hold.released;
  }
}
