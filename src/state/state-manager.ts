/**
 * StateManager: the seed's API (getState, transition, validateTransition) over a WorkflowStore.
 *
 * A transition is decided purely (XState's `transition()`: guards and assigns run, nothing is started) and
 * committed with a compare-and-set on the record's version. A lost race reloads and decides again, so an
 * event is never applied to a stale snapshot and never lost silently. Events for one conversation are queued
 * in this process, so only another process can make a commit retry.
 */
import { type AnyEventObject, initialTransition } from "xstate";
import { InvalidTransitionError, type StateCorruptionError, StateManagementError } from "../errors.js";
import { decide, persist } from "./decide.js";
import {
  type AnySnapshot,
  type DecodedEnvelope,
  decodeEnvelope,
  encodeEnvelope,
  hasLiveWork,
  stateName,
  type WorkflowDefinition,
} from "./definitions.js";
import { historyEntry } from "./history.js";
import { KeyedQueue } from "./keyed-queue.js";
import { SnapshotCache } from "./snapshot-cache.js";
import { type ConversationKey, conversationKey, keyString, type WorkflowStore } from "./store.js";
import { type ClosedListener, Tombstones } from "./tombstones.js";
import { hasTransition, rejectedEvent } from "./transition-graph.js";
import { WorkflowLoader } from "./workflow-loader.js";

export interface LoadedWorkflow {
  definition: WorkflowDefinition;
  version: number;
  snapshot: AnySnapshot;
}

/** A committed change, as seen by listeners (the renderer, the runtime). */
export interface Commit {
  key: ConversationKey;
  workflowType: string;
  version: number;
  prev?: AnySnapshot;
  next: AnySnapshot;
  /** The event that caused it, when it came from outside (user or API); absent for live-actor progress. */
  event?: AnyEventObject;
  /** "external": an event applied by transition/start; "live": a snapshot proposed by a hosted actor. */
  source?: "external" | "live";
}

export type CommitListener = (commit: Commit) => void | Promise<void>;

/** The seed's get_state result. `history` is the machine's back-history (previous steps, oldest first). */
export interface WorkflowState {
  state: string;
  workflowType: string;
  data: Record<string, unknown>;
  history: string[];
}

const MAX_CAS_ATTEMPTS = 20;

/** After a few lost races with another process, wait a random while (up to 50 ms) before trying again. */
function backOff(attempt: number): Promise<void> {
  if (attempt < 2) return Promise.resolve();
  const ms = Math.random() * Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class StateManager {
  private readonly definitions: ReadonlyMap<string, WorkflowDefinition>;
  private readonly listeners: CommitListener[] = [];
  private readonly queue = new KeyedQueue();
  private readonly cache = new SnapshotCache();
  private readonly tombstones: Tombstones;
  private readonly loader: WorkflowLoader;

  constructor(
    readonly store: WorkflowStore,
    definitions: WorkflowDefinition[],
    private readonly onListenerError: (error: unknown, commit: Commit) => void = (error) =>
      console.error(error),
  ) {
    this.definitions = new Map(definitions.map((d) => [d.type, d]));
    this.tombstones = new Tombstones(store);
    this.loader = new WorkflowLoader(store, this.definitions, this.tombstones, this.cache);
  }

  definition(type: string): WorkflowDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new StateManagementError(`Unknown workflow type ${type}`);
    return definition;
  }

  /** A stored envelope decoded (and migrated) for the current machine versions; see decodeEnvelope. */
  decodeStored(raw: string): DecodedEnvelope {
    return decodeEnvelope(raw, this.definitions);
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /**
   * Called when a workflow is closed in the background (recovery found it unusable), so the user can be told.
   * When every listener succeeds the user counts as told; otherwise the next load raises the error instead.
   */
  onClosed(listener: ClosedListener): void {
    this.tombstones.onClosed(listener);
  }

  /**
   * Loads the conversation's workflow, or null when there is none (or it was closed and the user told).
   * An unusable snapshot is closed right here, so it is reported once and never retried.
   * @throws StateCorruptionError when the stored snapshot cannot be used (details.reason says why)
   */
  async load(key: ConversationKey): Promise<LoadedWorkflow | null> {
    const restored = await this.loader.restore(key);
    return (
      restored && { definition: restored.definition, version: restored.version, snapshot: restored.snapshot }
    );
  }

  /**
   * Reads the conversation's workflow for a background job (reconciler, admin): no side effects, and null
   * for anything unusable, which stays for the user-facing load to close and report.
   */
  async inspect(key: ConversationKey): Promise<LoadedWorkflow | null> {
    const record = await this.store.read(key);
    if (!record) return null;
    const snapshot = this.loader.previousQuietly(record);
    if (!snapshot) return null;
    return { definition: this.definition(record.workflowType), version: record.version, snapshot };
  }

  /** The seed's getState: current state name, workflow type, context and back-history; null when none. */
  async getState(userId: number, conversationId: string | number): Promise<WorkflowState | null> {
    const loaded = await this.load(conversationKey(userId, conversationId));
    if (!loaded) return null;
    const context = loaded.snapshot.context as Record<string, unknown>;
    return {
      state: stateName(loaded.snapshot),
      workflowType: loaded.definition.type,
      data: context,
      history: Array.isArray(context.history) ? (context.history as string[]) : [],
    };
  }

  /**
   * Starts a new workflow in the conversation, replacing whatever was there (the caller cancels a running one
   * first). Returns the initial snapshot.
   */
  start(key: ConversationKey, type: string, input: Record<string, unknown>): Promise<Commit> {
    const definition = this.definition(type);
    const [snapshot] = initialTransition(definition.machine, input);
    return this.queue.run(keyString(key), async () => {
      this.cache.delete(keyString(key));
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const record = await this.store.read(key);
        const prev = record ? this.loader.previousQuietly(record) : undefined;
        const result = await this.write(key, record?.version ?? 0, definition, snapshot, "external");
        if (result.ok) {
          const commit: Commit = { key, workflowType: type, version: result.version, prev, next: snapshot };
          return this.committed({ ...commit, source: "external" });
        }
      }
      throw new StateManagementError("Too much contention starting the workflow", { key });
    });
  }

  /**
   * Applies an event: decide purely, compare-and-set, and on a lost race reload and decide again.
   * @throws InvalidTransitionError (5001) when the current state does not accept the event
   * @throws StateCorruptionError when the stored snapshot is unusable (it is closed)
   */
  transition(key: ConversationKey, event: AnyEventObject): Promise<Commit> {
    const k = keyString(key);
    return this.queue.run(k, async () => {
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        // First from the cache (verified by the compare-and-set), then from the store.
        const cached = attempt === 0 ? this.cache.get(k) : undefined;
        const loaded = cached ?? (await this.loader.restore(key));
        if (!loaded) {
          throw new InvalidTransitionError("There is no active workflow here.", {
            state: null,
            event: event.type,
          });
        }
        const { definition, version, snapshot, actor } = loaded;
        if (snapshot.status !== "active" || !snapshot.can(event)) {
          if (cached) continue; // the cache may be stale: only the store can refuse
          throw rejectedEvent(definition.type, snapshot, event);
        }
        const next = decide(actor, snapshot, event);
        const result = await this.write(key, version, definition, next, "external");
        if (result.ok) {
          this.cache.set(k, { definition, version: result.version, snapshot: next, actor });
          const commit = {
            key,
            workflowType: definition.type,
            version: result.version,
            prev: snapshot,
            next,
          };
          return this.committed({ ...commit, event, source: "external" });
        }
        this.cache.delete(k);
        await backOff(attempt);
      }
      throw new StateManagementError("Too much contention on this conversation; try again.", { key });
    });
  }

  /**
   * Commits a snapshot proposed by a live actor that started from `expectedVersion`; null when the store moved
   * on. The caller updates its own bookkeeping first, then calls `announce` so listeners see a settled state.
   */
  commitProposal(
    key: ConversationKey,
    expectedVersion: number,
    type: string,
    prev: AnySnapshot,
    next: AnySnapshot,
  ): Promise<Commit | null> {
    const definition = this.definition(type);
    // In the conversation's queue: a busy live actor can never starve user events in this process.
    return this.queue.run(keyString(key), async () => {
      const result = await this.write(key, expectedVersion, definition, next, "live");
      if (!result.ok) return null;
      this.cache.delete(keyString(key)); // live snapshots hold started children: never decide from them
      return { key, workflowType: type, version: result.version, prev, next, source: "live" };
    });
  }

  /** Hands a commit made by commitProposal to the listeners (other processes were told by the store). */
  announce(commit: Commit): Promise<Commit> {
    return this.committed(commit);
  }

  /**
   * The seed's validateTransition: true when some transition can take `from` to `to` (names or dotted paths).
   * Guards are not evaluated: this answers "is there an edge", not "is it allowed now". Without a workflow
   * type, any registered machine with that edge counts.
   */
  validateTransition(from: string, to: string, workflowType?: string): boolean {
    const machines = workflowType
      ? [this.definition(workflowType).machine]
      : [...this.definitions.values()].map((d) => d.machine);
    return machines.some((machine) => hasTransition(machine, from, to));
  }

  /**
   * Closes the conversation's workflow (whatever state it is in) so it is neither loaded nor recovered again.
   * The caller tells the user. Returns false when there was nothing open to close.
   */
  reset(key: ConversationKey, reason: string): Promise<boolean> {
    return this.queue.run(keyString(key), async () => {
      this.cache.delete(keyString(key));
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const record = await this.store.read(key);
        if (!record || Tombstones.isClosed(record)) return false;
        if (await this.tombstones.close(key, record, reason, true)) return true;
      }
      throw new StateManagementError("Too much contention on this conversation; try again.", { key });
    });
  }

  /**
   * Closes a workflow found unusable in the background (recovery, a failed live actor), if it is still at
   * `version`, and tells the closed-listeners. Returns false when the workflow had moved on.
   */
  closeBroken(key: ConversationKey, version: number, error: StateCorruptionError): Promise<boolean> {
    return this.queue.run(keyString(key), () => {
      this.cache.delete(keyString(key));
      return this.tombstones.closeAndNotify(key, version, error);
    });
  }

  private async write(
    key: ConversationKey,
    expected: number,
    definition: WorkflowDefinition,
    next: AnySnapshot,
    source: "external" | "live",
  ) {
    const persisted = persist(definition.machine, next);
    const live = hasLiveWork(persisted);
    return this.store.compareAndSet(key, expected, {
      workflowType: definition.type,
      state: stateName(next),
      snapshot: encodeEnvelope(definition, persisted),
      active: next.status === "active",
      live,
      // A live actor's own commit is already hosted; an outside event's may need a host anywhere.
      needsHost: live && source === "external",
      // Only a commit from an active snapshot can finish a workflow, and the CAS lets exactly one through.
      history: next.status === "done" ? historyEntry(definition.type, next) : undefined,
    });
  }

  /** Listeners run after the commit is durable; their failures are reported, never undo the commit. */
  private async committed(commit: Commit): Promise<Commit> {
    for (const listener of this.listeners) {
      try {
        await listener(commit);
      } catch (error) {
        this.onListenerError(error, commit);
      }
    }
    return commit;
  }
}
