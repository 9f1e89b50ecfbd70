/**
 * Loading a conversation's workflow for StateManager: read, decode (migrating older versions), restore into
 * an unstarted actor, and cache it. An unusable snapshot is closed here (a tombstone) and the error thrown to
 * the caller, who tells the user; a tombstone nobody was told about yet is reported once the same way.
 */
import { StateCorruptionError, StateManagementError } from "../errors.js";
import {
  type AnySnapshot,
  corruption,
  type DecodedEnvelope,
  decodeEnvelope,
  restoreActor,
  restoreSnapshot,
  type WorkflowDefinition,
} from "./definitions.js";
import type { CachedWorkflow, SnapshotCache } from "./snapshot-cache.js";
import { type ConversationKey, keyString, type WorkflowRecord, type WorkflowStore } from "./store.js";
import type { Tombstones } from "./tombstones.js";

/** Reads that a concurrent writer may invalidate before we give up (only while closing). */
const MAX_ATTEMPTS = 20;

export class WorkflowLoader {
  constructor(
    private readonly store: WorkflowStore,
    private readonly definitions: ReadonlyMap<string, WorkflowDefinition>,
    private readonly tombstones: Tombstones,
    private readonly cache: SnapshotCache,
  ) {}

  /**
   * The workflow restored (and cached), or null when there is none or it was closed and the user told.
   * @throws StateCorruptionError when the stored snapshot cannot be used (it is closed first)
   */
  async restore(key: ConversationKey): Promise<CachedWorkflow | null> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const record = await this.store.read(key);
      if (!record) return null;
      const loaded = await this.examine(key, record);
      if (loaded !== "changed") return loaded;
    }
    throw new StateManagementError("Too much contention on this conversation; try again.", { key });
  }

  /** The snapshot a record holds, or undefined when it holds nothing usable. No side effects. */
  previousQuietly(record: WorkflowRecord): AnySnapshot | undefined {
    try {
      const decoded = decodeEnvelope(record.snapshot, this.definitions);
      return decoded.kind === "workflow" ? restoreSnapshot(decoded.definition, decoded.persisted) : undefined;
    } catch {
      return undefined;
    }
  }

  private async examine(
    key: ConversationKey,
    record: WorkflowRecord,
  ): Promise<CachedWorkflow | null | "changed"> {
    let decoded: DecodedEnvelope;
    try {
      decoded = decodeEnvelope(record.snapshot, this.definitions);
    } catch (error) {
      return this.closeAndRethrow(key, record, error);
    }
    if (decoded.kind === "closed") {
      // Closed in the background and nobody told the user yet: this caller does, once.
      if (decoded.told) return null;
      if (!(await this.tombstones.markTold(key, record))) return "changed";
      throw corruption(decoded.reason, { workflowType: decoded.workflowType });
    }
    try {
      const actor = restoreActor(decoded.definition, decoded.persisted);
      const snapshot = actor.getSnapshot() as AnySnapshot;
      const restored = { definition: decoded.definition, version: record.version, snapshot, actor };
      this.cache.set(keyString(key), restored);
      return restored;
    } catch (error) {
      return this.closeAndRethrow(key, record, error);
    }
  }

  /** Closes an unusable workflow and rethrows; "changed" when someone wrote it meanwhile (read again). */
  private async closeAndRethrow(
    key: ConversationKey,
    record: WorkflowRecord,
    error: unknown,
  ): Promise<"changed"> {
    if (!(error instanceof StateCorruptionError)) throw error;
    if (!(await this.tombstones.close(key, record, String(error.details.reason), true))) return "changed";
    throw error;
  }
}
