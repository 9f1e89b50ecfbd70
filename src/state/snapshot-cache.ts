/**
 * The last snapshot this process committed (or loaded) per conversation, with the version it was stored at.
 * A (conversation, version) pair names one immutable stored snapshot, so a transition can decide from the
 * cache and commit with a compare-and-set on that version: one round trip instead of a read, a decode and a
 * restore. A failed compare-and-set means the cache was stale; the transition then reads the store.
 */
import type { Actor, AnyStateMachine } from "xstate";
import type { AnySnapshot, WorkflowDefinition } from "./definitions.js";

export interface CachedWorkflow {
  definition: WorkflowDefinition;
  version: number;
  snapshot: AnySnapshot;
  /** The unstarted actor the snapshot belongs to: the parent of child refs in pure decisions. */
  actor: Actor<AnyStateMachine>;
}

export class SnapshotCache {
  private readonly entries = new Map<string, CachedWorkflow>();

  /** @param capacity conversations kept; the least recently used is dropped first */
  constructor(private readonly capacity = 1000) {}

  get(key: string): CachedWorkflow | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // re-insert: Map order is the recency order
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedWorkflow): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
