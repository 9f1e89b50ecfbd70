/**
 * StateManager: the seed's API (getState, transition, validateTransition) over a WorkflowStore.
 *
 * A transition is decided purely (XState's `transition()`: guards and assigns run, nothing is started) and
 * committed with a compare-and-set on the record's version. A lost race reloads and decides again, so an
 * event is never applied to a stale snapshot and never lost silently.
 */
import { type AnyEventObject, initialTransition, transition as pureTransition } from "xstate";
import { InvalidTransitionError, StateCorruptionError, StateManagementError } from "../errors.js";
import {
  type AnySnapshot,
  decodeEnvelope,
  encodeEnvelope,
  restoreSnapshot,
  stateName,
  type WorkflowDefinition,
} from "./definitions.js";
import type { ConversationKey, WorkflowStore } from "./store.js";

export interface LoadedWorkflow {
  definition: WorkflowDefinition;
  version: number;
  snapshot: AnySnapshot;
}

/** A committed change, as seen by listeners (the renderer, the runtime, the history writer). */
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

const MAX_CAS_ATTEMPTS = 20;

export class StateManager {
  private readonly definitions: ReadonlyMap<string, WorkflowDefinition>;
  private readonly listeners: CommitListener[] = [];

  constructor(
    readonly store: WorkflowStore,
    definitions: WorkflowDefinition[],
    private readonly onListenerError: (error: unknown, commit: Commit) => void = (error) =>
      console.error(error),
  ) {
    this.definitions = new Map(definitions.map((d) => [d.type, d]));
  }

  definition(type: string): WorkflowDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new StateManagementError(`Unknown workflow type ${type}`);
    return definition;
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /**
   * Loads the conversation's workflow, or null when there is none.
   * @throws StateCorruptionError when the stored snapshot cannot be used (details.reason says why)
   */
  async load(key: ConversationKey): Promise<LoadedWorkflow | null> {
    const record = await this.store.read(key);
    if (!record) return null;
    return { ...this.decode(record.snapshot), version: record.version };
  }

  /** The stored envelope decoded (and migrated) into a persisted snapshot of the current machine version. */
  decodePersisted(raw: string): { definition: WorkflowDefinition; persisted: unknown } {
    return decodeEnvelope(raw, this.definitions);
  }

  private decode(raw: string): { definition: WorkflowDefinition; snapshot: AnySnapshot } {
    const { definition, persisted } = decodeEnvelope(raw, this.definitions);
    return { definition, snapshot: restoreSnapshot(definition, persisted) };
  }

  /** The seed's getState: current state name, workflow type, context, and the back-history. */
  async getState(
    userId: number,
    conversationId: string | number,
  ): Promise<{
    state: string;
    workflowType: string;
    data: Record<string, unknown>;
    history: string[];
  } | null> {
    const loaded = await this.load({ userId, chatId: Number(conversationId) });
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
  async start(key: ConversationKey, type: string, input: Record<string, unknown>): Promise<Commit> {
    const definition = this.definition(type);
    const [snapshot] = initialTransition(definition.machine, input);
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const record = await this.store.read(key);
      const prev = record ? this.decodeQuietly(record.snapshot) : undefined;
      const result = await this.write(key, record?.version ?? 0, definition, snapshot);
      if (result.ok)
        return this.committed({
          key,
          workflowType: type,
          version: result.version,
          prev,
          next: snapshot,
          source: "external",
        });
    }
    throw new StateManagementError("Too much contention starting the workflow", { key });
  }

  /**
   * Applies an event: decide purely, compare-and-set, and on a lost race reload and decide again.
   * @throws InvalidTransitionError (5001) when the current state does not accept the event
   * @throws StateCorruptionError when the stored snapshot is unusable
   */
  async transition(key: ConversationKey, event: AnyEventObject): Promise<Commit> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const loaded = await this.load(key);
      if (!loaded)
        throw new InvalidTransitionError("There is no active workflow here.", { event: event.type });
      const { definition, version, snapshot } = loaded;
      if (snapshot.status !== "active" || !snapshot.can(event)) {
        throw new InvalidTransitionError(`"${event.type}" is not possible in ${stateName(snapshot)}.`, {
          state: stateName(snapshot),
          event: event.type,
        });
      }
      const [next] = pureTransition(definition.machine, snapshot, event);
      const result = await this.write(key, version, definition, next);
      if (result.ok) {
        return this.committed({
          key,
          workflowType: definition.type,
          version: result.version,
          prev: snapshot,
          next,
          event,
          source: "external",
        });
      }
    }
    throw new StateManagementError("Too much contention on this conversation; try again.", { key });
  }

  /**
   * Commits a snapshot proposed by a live actor that started from `expectedVersion`; null when the store moved
   * on. The caller updates its own bookkeeping first, then calls `announce` so listeners see a settled state.
   */
  async commitProposal(
    key: ConversationKey,
    expectedVersion: number,
    type: string,
    prev: AnySnapshot,
    next: AnySnapshot,
  ): Promise<Commit | null> {
    const definition = this.definition(type);
    const result = await this.write(key, expectedVersion, definition, next);
    if (!result.ok) return null;
    return { key, workflowType: type, version: result.version, prev, next, source: "live" };
  }

  /** Publishes a commit made by commitProposal to other processes and to listeners. */
  announce(commit: Commit): Promise<Commit> {
    return this.committed(commit);
  }

  /**
   * The seed's validateTransition: true when some transition of `from` (or of an ancestor, e.g. the root's
   * cancel) targets `to`. Guards are not evaluated: this answers "is there an edge", not "is it allowed now".
   */
  validateTransition(type: string, from: string, to: string): boolean {
    const machine = this.definition(type).machine;
    const node = machine.states[from];
    if (!node || !machine.states[to]) return false;
    for (let current: typeof node | undefined = node; current; current = current.parent) {
      for (const transitions of current.transitions.values()) {
        for (const t of transitions) {
          if (t.target?.some((target) => target.key === to || target.path[0] === to)) return true;
        }
      }
      for (const t of current.always ?? []) {
        if (t.target?.some((target) => target.key === to)) return true;
      }
    }
    return false;
  }

  /** Deletes nothing: marks the conversation's workflow as closed so it is no longer recovered. */
  async reset(key: ConversationKey, reason: string): Promise<void> {
    const record = await this.store.read(key);
    if (!record) return;
    await this.store.compareAndSet(key, record.version, {
      workflowType: record.workflowType,
      state: `RESET:${reason}`.slice(0, 60),
      snapshot: record.snapshot,
      active: false,
    });
  }

  private async write(
    key: ConversationKey,
    expected: number,
    definition: WorkflowDefinition,
    next: AnySnapshot,
  ) {
    const persisted = definition.machine.getPersistedSnapshot(next);
    return this.store.compareAndSet(key, expected, {
      workflowType: definition.type,
      state: stateName(next),
      snapshot: encodeEnvelope(definition, persisted),
      active: next.status === "active",
    });
  }

  private decodeQuietly(raw: string): AnySnapshot | undefined {
    try {
      return this.decode(raw).snapshot;
    } catch (error) {
      if (error instanceof StateCorruptionError) return undefined;
      throw error;
    }
  }

  /** Listeners run after the commit is durable; their failures are reported, never undo the commit. */
  private async committed(commit: Commit): Promise<Commit> {
    await this.store.publishChange(commit.key, commit.version);
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
