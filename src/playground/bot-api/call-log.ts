/** A record of every Bot API call the bot made, for tests to assert on and for failure reports. */

/** One call: what the bot asked and what it got back. */
export interface CallLogEntry {
  /** 1, 2, 3 … in the order calls finished. */
  seq: number;
  method: string;
  payload: Record<string, unknown>;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  durationMs: number;
  ok: boolean;
  result?: unknown;
  error?: { error_code: number; description: string; parameters?: { retry_after?: number } };
}

/** Keeps the newest `capacity` calls so a long playground session doesn't grow without bound. */
export class CallLog {
  private readonly entries: CallLogEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  add(entry: Omit<CallLogEntry, "seq">): CallLogEntry {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return full;
  }

  all(): readonly CallLogEntry[] {
    return this.entries;
  }
}
