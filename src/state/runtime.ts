/**
 * WorkflowRuntime: hosts the live actors that do long work (launching, monitoring, predicting).
 *
 * Events from outside go through StateManager.transition (pure decide + compare-and-set). After every commit the
 * runtime reconciles: when the committed state has invoked actors, exactly one process (the lease holder)
 * restores a live actor from the snapshot, which starts them; their results come back as snapshots that are
 * committed with the same compare-and-set. A restart restores every active workflow the same way, so a job
 * that was being monitored is monitored again, and a launch re-runs idempotently (the job id is in context).
 */
import { randomUUID } from "node:crypto";
import { type Actor, type AnyEventObject, type AnyStateMachine, createActor } from "xstate";
import type { Logger } from "../logger.js";
import { type AnySnapshot, hasLiveWork } from "./definitions.js";
import type { Commit, StateManager } from "./state-manager.js";
import { type ConversationKey, keyString } from "./store.js";

interface LiveWorkflow {
  actor: Actor<AnyStateMachine>;
  type: string;
  /** The store version this actor's current snapshot corresponds to. */
  version: number;
  /** Last snapshot committed by (or restored into) this actor. */
  committed: AnySnapshot;
  /** Serializes this actor's commits. */
  queue: Promise<void>;
  stopped: boolean;
}

export interface RuntimeOptions {
  /** Identifies this process in leases. */
  owner?: string;
  leaseTtlMs?: number;
  logger?: Logger;
}

export class WorkflowRuntime {
  readonly owner: string;
  private readonly leaseTtlMs: number;
  private readonly live = new Map<string, LiveWorkflow>();
  private readonly locks = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => Promise<void>;
  private running = false;

  constructor(
    private readonly manager: StateManager,
    private readonly options: RuntimeOptions = {},
  ) {
    this.owner = options.owner ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = options.leaseTtlMs ?? 15_000;
    manager.onCommit((commit) => this.afterCommit(commit));
  }

  /** Restores every active workflow with long work, then keeps leases fresh and picks up orphans. */
  async start(): Promise<void> {
    this.running = true;
    this.unsubscribe = await this.manager.store.onChange((key, version) => {
      const live = this.live.get(keyString(key));
      if (live && live.version >= version) return; // our own commit, or an old notice
      void this.reconcile(key);
    });
    await this.scan();
    this.timer = setInterval(() => void this.tick(), Math.max(200, Math.floor(this.leaseTtlMs / 3)));
    this.timer.unref();
  }

  /** Stops live actors without committing anything and releases their leases (for shutdown and tests). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    await this.unsubscribe?.();
    await Promise.all([...this.live.keys()].map((k) => this.detach(k)));
  }

  /** Applies an event from outside (a user action). Throws InvalidTransitionError when not accepted. */
  send(key: ConversationKey, event: AnyEventObject): Promise<Commit> {
    return this.withLock(key, () => this.manager.transition(key, event));
  }

  /** Starts a new workflow of `type` in the conversation. */
  begin(key: ConversationKey, type: string, input: Record<string, unknown>): Promise<Commit> {
    return this.withLock(key, () => this.manager.start(key, type, input));
  }

  /** Keys of the workflows this process is hosting right now. */
  hosted(): string[] {
    return [...this.live.keys()];
  }

  private async afterCommit(commit: Commit): Promise<void> {
    if (commit.source === "live" || !this.running) return; // a live actor manages itself
    void this.reconcile(commit.key);
  }

  /** Makes this process's live actor (if any) match the stored workflow. */
  async reconcile(key: ConversationKey): Promise<void> {
    const k = keyString(key);
    await this.withLock(key, async () => {
      if (!this.running) return;
      const record = await this.manager.store.read(key);
      const live = this.live.get(k);
      if (live && record && live.version === record.version) return;
      if (live) await this.detach(k);
      if (!record) return;
      let decoded: { definition: { type: string }; persisted: unknown };
      try {
        decoded = this.manager.decodePersisted(record.snapshot);
      } catch (error) {
        this.options.logger?.warn({ err: error, key: k }, "cannot restore workflow");
        return;
      }
      const { persisted } = decoded;
      if (!hasLiveWork(persisted)) return;
      if (!(await this.manager.store.acquireLease(`wf:${k}`, this.owner, this.leaseTtlMs))) return;
      this.attach(key, decoded.definition.type, record.version, persisted);
    });
  }

  private attach(key: ConversationKey, type: string, version: number, persisted: unknown): void {
    const k = keyString(key);
    const machine = this.manager.definition(type).machine;
    // biome-ignore lint/suspicious/noExplicitAny: a persisted snapshot of this machine, checked by decodeEnvelope
    const actor = createActor(machine, { snapshot: persisted as any, input: undefined });
    const entry: LiveWorkflow = {
      actor,
      type,
      version,
      committed: actor.getSnapshot(),
      queue: Promise.resolve(),
      stopped: false,
    };
    this.live.set(k, entry);
    actor.subscribe({
      next: (snapshot) => {
        entry.queue = entry.queue.then(() => this.commitLive(key, entry, snapshot));
      },
      error: (error) => {
        this.options.logger?.error({ err: error, key: k }, "live workflow actor failed");
        void this.detach(k);
      },
    });
    this.options.logger?.debug({ key: k, version }, "hosting workflow");
    actor.start();
  }

  private async commitLive(key: ConversationKey, entry: LiveWorkflow, snapshot: AnySnapshot): Promise<void> {
    if (entry.stopped || snapshot === entry.committed) return;
    const commit = await this.manager.commitProposal(
      key,
      entry.version,
      entry.type,
      entry.committed,
      snapshot,
    );
    const k = keyString(key);
    if (!commit) {
      // Someone else changed the workflow: our actor is stale. Drop it and follow the store.
      await this.detach(k);
      void this.reconcile(key);
      return;
    }
    entry.version = commit.version;
    entry.committed = snapshot;
    if (snapshot.status !== "active" || Object.keys(snapshot.children).length === 0) await this.detach(k);
    await this.manager.announce(commit);
  }

  private async detach(k: string): Promise<void> {
    const entry = this.live.get(k);
    if (!entry) return;
    this.live.delete(k);
    entry.stopped = true;
    entry.actor.stop();
    await this.manager.store.releaseLease(`wf:${k}`, this.owner).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    for (const [k, entry] of this.live) {
      const held = await this.manager.store
        .renewLease(`wf:${k}`, this.owner, this.leaseTtlMs)
        .catch(() => false);
      if (!held && this.live.get(k) === entry) {
        this.options.logger?.warn({ key: k }, "lost the lease of a workflow; another process hosts it now");
        await this.detach(k);
      }
    }
    await this.scan().catch((error) => this.options.logger?.warn({ err: error }, "recovery scan failed"));
  }

  /** Picks up active workflows with long work that nobody hosts (start-up, or a dead replica). */
  private async scan(): Promise<void> {
    for (const key of await this.manager.store.listActive()) {
      if (!this.live.has(keyString(key))) await this.reconcile(key);
    }
  }

  private withLock<T>(key: ConversationKey, work: () => Promise<T>): Promise<T> {
    const k = keyString(key);
    const previous = this.locks.get(k) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(k, tail);
    void tail.then(() => {
      if (this.locks.get(k) === tail) this.locks.delete(k);
    });
    return result;
  }
}
