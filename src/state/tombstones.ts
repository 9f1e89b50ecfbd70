/**
 * Closing a workflow that cannot be used (corrupt, not migratable, crashed). Nothing is deleted: the record
 * becomes a tombstone (inactive, with the reason and the old envelope) so it is never recovered again, and
 * the user is told exactly once: either a closed-listener tells them right away (background closes), or the
 * next load raises StateCorruptionError to whoever serves the user.
 */
import type { StateCorruptionError } from "../errors.js";
import { encodeClosed } from "./definitions.js";
import type { ConversationKey, WorkflowRecord, WorkflowStore } from "./store.js";

export type ClosedListener = (key: ConversationKey, error: StateCorruptionError) => void | Promise<void>;

interface Tombstone {
  machine: string;
  closed: { reason: string; at: string; told: boolean };
  previous?: string;
}

function parseTombstone(record: WorkflowRecord): Tombstone | undefined {
  try {
    const parsed = JSON.parse(record.snapshot) as Partial<Tombstone> | null;
    return parsed && typeof parsed === "object" && parsed.closed ? (parsed as Tombstone) : undefined;
  } catch {
    return undefined;
  }
}

export class Tombstones {
  private readonly listeners: ClosedListener[] = [];

  constructor(private readonly store: WorkflowStore) {}

  static isClosed(record: WorkflowRecord): boolean {
    return parseTombstone(record) !== undefined;
  }

  onClosed(listener: ClosedListener): void {
    this.listeners.push(listener);
  }

  /** Replaces the record (if still at its version) with a tombstone. */
  async close(key: ConversationKey, record: WorkflowRecord, reason: string, told: boolean): Promise<boolean> {
    const result = await this.store.compareAndSet(key, record.version, {
      workflowType: record.workflowType,
      state: `CLOSED:${reason}`.slice(0, 60),
      snapshot: encodeClosed(record.workflowType, reason, told, record.snapshot),
      active: false,
    });
    return result.ok;
  }

  /** Records that the user was told (if the tombstone is still at its version). */
  async markTold(key: ConversationKey, record: WorkflowRecord): Promise<boolean> {
    const tombstone = parseTombstone(record);
    if (!tombstone) return false;
    const told = { ...tombstone, closed: { ...tombstone.closed, told: true } };
    const result = await this.store.compareAndSet(key, record.version, {
      workflowType: record.workflowType,
      state: record.state,
      snapshot: JSON.stringify(told),
      active: false,
    });
    return result.ok;
  }

  /** Closes the workflow if it is still at `version`, then lets the listeners tell the user. */
  async closeAndNotify(key: ConversationKey, version: number, error: StateCorruptionError): Promise<boolean> {
    const record = await this.store.read(key);
    if (!record || record.version !== version || parseTombstone(record)) return false;
    const reason = String(error.details.reason ?? "unusable");
    if (!(await this.close(key, record, reason, false))) return false;
    if (await this.notify(key, error)) {
      const closed = await this.store.read(key);
      if (closed?.version === version + 1) await this.markTold(key, closed);
    }
    return true;
  }

  /** True when someone listened and every listener succeeded. */
  private async notify(key: ConversationKey, error: StateCorruptionError): Promise<boolean> {
    if (this.listeners.length === 0) return false;
    const results = await Promise.allSettled(this.listeners.map(async (listener) => listener(key, error)));
    return results.every((r) => r.status === "fulfilled");
  }
}
