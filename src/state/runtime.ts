/**
 * WorkflowRuntime: hosts the live actors that do long work (launching, monitoring, predicting).
 *
 * Events from outside go through StateManager.transition (pure decide + compare-and-set). After a commit whose
 * state has invoked actors, exactly one process (the lease holder) restores a live actor from the snapshot,
 * which starts them; their results come back as snapshots committed with the same compare-and-set. When the
 * store moves on without it (a user event, another process), the live actor is dropped and rebuilt from the
 * store: every actor is idempotent (R9), so a restart re-runs a launch harmlessly and resumes polling.
 * A restart restores every active workflow the same way, and a dead replica's leases expire and are taken.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Actor, AnyEventObject, AnyStateMachine } from "xstate";
import { StateCorruptionError } from "../errors.js";
import type { Logger } from "../logger.js";
import { type AnySnapshot, hasLiveWork, restoreActor } from "./definitions.js";
import { KeyedQueue } from "./keyed-queue.js";
import { type LiveHost, type LiveWorkflow, startLive } from "./live-workflow.js";
import type { Commit, StateManager } from "./state-manager.js";
import { type ConversationKey, keyString } from "./store.js";

/** What a workflow should look like here: the stored version and, if it has long work, its snapshot. */
interface Target {
  version: number;
  type: string;
  persisted: unknown;
}

export interface RuntimeOptions {
  /** Identifies this process in leases. */
  owner?: string;
  /** A lease not renewed for this long expires, and another process takes the workflow (default 15 s). */
  leaseTtlMs?: number;
  /** How often leases are renewed and hosted workflows checked against the store (default TTL / 3). */
  renewIntervalMs?: number;
  /** How often workflows with long work that nobody hosts are looked for (default TTL / 3). */
  scanIntervalMs?: number;
  logger?: Logger;
}

/** Workflows restored at once on start-up. */
const RECOVERY_BATCH = 64;

export class WorkflowRuntime {
  readonly owner: string;
  private readonly leaseTtlMs: number;
  private readonly live = new Map<string, LiveWorkflow>();
  private readonly reconciles = new KeyedQueue();
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe?: () => Promise<void>;
  private running = false;
  private readonly liveHost: LiveHost;
  /** Emits "renew" and "scan" after each round of those loops: what tests wait on before saying "nothing happened". */
  readonly rounds = new EventEmitter();

  constructor(
    private readonly manager: StateManager,
    private readonly options: RuntimeOptions = {},
  ) {
    this.owner = options.owner ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = options.leaseTtlMs ?? 15_000;
    manager.onCommit((commit) => this.afterCommit(commit));
    this.liveHost = {
      manager,
      logger: options.logger,
      detach: (entry) => this.detach(entry),
      reconcile: (key) => this.reconcile(key),
    };
  }

  /** Restores every active workflow (hosting those with long work), then keeps leases fresh and scans. */
  async start(): Promise<void> {
    this.running = true;
    this.unsubscribe = await this.manager.store.onChange((key, version, needsHost) =>
      this.onNotice(key, version, needsHost),
    );
    const keys = await this.manager.store.listActive();
    for (let i = 0; i < keys.length; i += RECOVERY_BATCH)
      await Promise.all(keys.slice(i, i + RECOVERY_BATCH).map((key) => this.reconcile(key)));
    const third = Math.max(50, Math.floor(this.leaseTtlMs / 3));
    this.every("renew", this.options.renewIntervalMs ?? third, () => this.renewLeases());
    this.every("scan", this.options.scanIntervalMs ?? third, () => this.scan());
  }

  /** Stops live actors without committing anything more and releases their leases (shutdown, tests). */
  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.unsubscribe?.();
    await this.reconciles.drain();
    const entries = [...this.live.values()];
    await Promise.all(entries.map((entry) => this.detach(entry)));
    // A commit already on its way finishes (and is announced) before the caller closes the store.
    await Promise.all(entries.map((entry) => entry.queue));
  }

  /** Applies an event from outside (a user action). Throws InvalidTransitionError when not accepted. */
  send(key: ConversationKey, event: AnyEventObject): Promise<Commit> {
    return this.manager.transition(key, event);
  }

  /** Starts a new workflow of `type` in the conversation. */
  begin(key: ConversationKey, type: string, input: Record<string, unknown>): Promise<Commit> {
    return this.manager.start(key, type, input);
  }

  /** Keys of the workflows this process is hosting right now. */
  hosted(): string[] {
    return [...this.live.keys()];
  }

  private afterCommit(commit: Commit): void {
    if (commit.source === "live" || !this.running) return; // a live actor manages itself
    const entry = this.live.get(keyString(commit.key));
    if (entry ? entry.version >= commit.version : !hasLiveWork(commit.next)) return;
    void this.reconcile(commit.key, commit.version, commit);
  }

  private onNotice(key: ConversationKey, version: number, needsHost: boolean): void {
    if (!this.running) return;
    const entry = this.live.get(keyString(key));
    if (entry ? entry.version >= version : !needsHost) return;
    void this.reconcile(key, version);
  }

  /**
   * Makes this process's live actor (if any) follow the stored workflow. `version` skips the work when the
   * live actor is already there; `commit` (a commit made here) saves reading back what was just written.
   */
  reconcile(key: ConversationKey, version?: number, commit?: Commit): Promise<void> {
    const k = keyString(key);
    return this.reconciles
      .run(k, async () => {
        if (!this.running) return;
        const current = this.live.get(k);
        if (current) await current.queue; // let an in-flight proposal settle first
        const entry = this.live.get(k);
        if (entry && version !== undefined && entry.version >= version) return;
        const target = await this.target(key, commit);
        if (entry && target && entry.version === target.version) return;
        if (entry) await this.detach(entry);
        if (target && hasLiveWork(target.persisted)) return this.host(key, target);
        // Nothing to host: let go of a lease the scan may have taken for it.
        if (!entry) await this.manager.store.releaseLease(`wf:${k}`, this.owner);
      })
      .catch((error) => this.options.logger?.warn({ err: error, conv: k }, "reconcile failed"));
  }

  /** The stored workflow, from the commit when it is still current, else from the store. */
  private async target(key: ConversationKey, commit?: Commit): Promise<Target | undefined> {
    const store = this.manager.store;
    if (commit && (await store.readVersion(key)) === commit.version) {
      const machine = this.manager.definition(commit.workflowType).machine;
      // Through JSON, so the live actor starts from exactly what is stored.
      const persisted = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(commit.next)));
      return { version: commit.version, type: commit.workflowType, persisted };
    }
    const record = await store.read(key);
    if (!record) return undefined;
    try {
      const decoded = this.manager.decodeStored(record.snapshot);
      if (decoded.kind === "closed")
        return { version: record.version, type: decoded.workflowType, persisted: {} };
      return { version: record.version, type: decoded.definition.type, persisted: decoded.persisted };
    } catch (error) {
      await this.refuse(key, record.version, error);
      return { version: record.version, type: record.workflowType, persisted: {} };
    }
  }

  /** Takes the lease and starts a live actor; an unrestorable snapshot closes the workflow instead. */
  private async host(key: ConversationKey, target: Target): Promise<void> {
    const k = keyString(key);
    const store = this.manager.store;
    const sentAt = Date.now();
    if (!this.running || !(await store.acquireLease(`wf:${k}`, this.owner, this.leaseTtlMs))) return;
    const leaseUntil = sentAt + this.leaseTtlMs;
    let actor: Actor<AnyStateMachine>;
    try {
      actor = restoreActor(this.manager.definition(target.type), target.persisted);
    } catch (error) {
      await store.releaseLease(`wf:${k}`, this.owner).catch(() => undefined);
      await this.refuse(key, target.version, error);
      return;
    }
    this.attach(key, target, actor, leaseUntil);
  }

  /** A snapshot that can never run is closed (and the user told); anything else is only logged. */
  private async refuse(key: ConversationKey, version: number, error: unknown): Promise<void> {
    const conv = keyString(key);
    if (!(error instanceof StateCorruptionError)) {
      this.options.logger?.warn({ err: error, conv }, "cannot host workflow now");
      return;
    }
    this.options.logger?.warn({ err: error, conv }, "stored workflow unusable; closing it");
    await this.manager.closeBroken(key, version, error);
  }

  private attach(
    key: ConversationKey,
    target: Target,
    actor: Actor<AnyStateMachine>,
    leaseUntil: number,
  ): void {
    const committed = actor.getSnapshot() as AnySnapshot;
    const { version, type } = target;
    const entry = {
      key,
      actor,
      type,
      version,
      committed,
      queue: Promise.resolve(),
      stopped: false,
      leaseUntil,
    };
    this.live.set(keyString(key), entry);
    startLive(this.liveHost, entry);
  }

  /** Stops the entry's actor (if it is still the hosted one) and releases its lease. */
  private async detach(entry: LiveWorkflow): Promise<void> {
    if (entry.stopped) return;
    entry.stopped = true;
    const k = keyString(entry.key);
    if (this.live.get(k) === entry) this.live.delete(k);
    entry.actor.stop();
    await this.manager.store.releaseLease(`wf:${k}`, this.owner).catch(() => undefined);
  }

  /** Renews every lease; a lost lease drops the actor, and a version we missed (pub/sub) reconciles. */
  private async renewLeases(): Promise<void> {
    const store = this.manager.store;
    await Promise.all(
      [...this.live.values()].map(async (entry) => {
        const k = keyString(entry.key);
        try {
          if (entry.stopped) return;
          if (Date.now() >= entry.leaseUntil) {
            // This process stalled past the lease: someone else may hold it now. Stop, then compete again.
            this.options.logger?.warn({ conv: k }, "lease expired before renewal; dropping the workflow");
            return this.detach(entry);
          }
          const sentAt = Date.now();
          const [held, version] = await Promise.all([
            store.renewLease(`wf:${k}`, this.owner, this.leaseTtlMs),
            store.readVersion(entry.key),
          ]);
          if (!held) {
            this.options.logger?.warn({ conv: k }, "lost the lease of a workflow; another process hosts it");
            return this.detach(entry);
          }
          entry.leaseUntil = sentAt + this.leaseTtlMs; // counted from the request: the server's expiry is later
          if (version !== entry.version) void this.reconcile(entry.key, version);
        } catch (error) {
          // Unreachable store: keep going while the lease surely is ours, then step back.
          if (Date.now() >= entry.leaseUntil) await this.detach(entry);
          this.options.logger?.warn({ err: error, conv: k }, "lease renewal failed");
        }
      }),
    );
  }

  /** Picks up workflows with long work that nobody hosts (a dead replica's, once its lease expired). */
  private async scan(): Promise<void> {
    const store = this.manager.store;
    for (const key of await store.listLive()) {
      if (!this.running || this.live.has(keyString(key))) continue;
      // The lease first: workflows another process hosts cost one call, not a read and a decode.
      if (await store.acquireLease(`wf:${keyString(key)}`, this.owner, this.leaseTtlMs))
        await this.reconcile(key);
    }
  }

  private every(loop: "renew" | "scan", intervalMs: number, work: () => Promise<void>): void {
    const run = async () => {
      await work().catch((error) => this.options.logger?.warn({ err: error }, "runtime loop failed"));
      this.rounds.emit(loop);
      if (!this.running) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void run();
      }, intervalMs);
      timer.unref();
      this.timers.add(timer);
    };
    const first = setTimeout(() => {
      this.timers.delete(first);
      void run();
    }, intervalMs);
    first.unref();
    this.timers.add(first);
  }
}
