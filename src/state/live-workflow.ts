/**
 * A live actor hosted by WorkflowRuntime: restored from a stored snapshot and started, so its invoked actors
 * (launch, monitor, …) run. Every snapshot it reaches is proposed to the store in order, with a
 * compare-and-set on the version it started from; when the store moved on without it, it is dropped and the
 * runtime rebuilds it from the store. Errors never escape as uncaught exceptions.
 */
import type { Actor, AnyStateMachine } from "xstate";
import type { Logger } from "../logger.js";
import { type AnySnapshot, corruption, hasLiveWork } from "./definitions.js";
import type { StateManager } from "./state-manager.js";
import { type ConversationKey, keyString } from "./store.js";

export interface LiveWorkflow {
  key: ConversationKey;
  actor: Actor<AnyStateMachine>;
  type: string;
  /** The store version this actor's current snapshot corresponds to. */
  version: number;
  /** Last snapshot committed by (or restored into) this actor. */
  committed: AnySnapshot;
  /** Serializes this actor's commits. */
  queue: Promise<void>;
  stopped: boolean;
  /** Until when the lease is surely ours: when the last acquire or renew was sent, plus the TTL. */
  leaseUntil: number;
}

/** What a live workflow needs from the runtime that hosts it. */
export interface LiveHost {
  manager: StateManager;
  logger?: Logger;
  /** Stops hosting the entry: removes it, stops its actor, releases its lease. */
  detach(entry: LiveWorkflow): Promise<void>;
  /** Makes the runtime follow the stored workflow again. */
  reconcile(key: ConversationKey): Promise<void>;
}

/** Subscribes to the entry's actor (observers first: an error must never be thrown asynchronously), then starts it. */
export function startLive(host: LiveHost, entry: LiveWorkflow): void {
  entry.actor.subscribe({
    next: (snapshot) => {
      entry.queue = entry.queue
        .then(() => commitLive(host, entry, snapshot as AnySnapshot))
        .catch((error) => onCommitFailure(host, entry, error));
    },
    error: (error) => void onActorError(host, entry, error),
  });
  host.logger?.debug({ conv: keyString(entry.key), version: entry.version }, "hosting workflow");
  entry.actor.start();
}

async function commitLive(host: LiveHost, entry: LiveWorkflow, snapshot: AnySnapshot): Promise<void> {
  if (entry.stopped || snapshot === entry.committed) return;
  const { key, version, type, committed } = entry;
  const commit = await host.manager.commitProposal(key, version, type, committed, snapshot);
  if (!commit) {
    // Someone else changed the workflow: this actor is stale. Drop it and follow the store.
    await host.detach(entry);
    void host.reconcile(key);
    return;
  }
  entry.version = commit.version;
  entry.committed = snapshot;
  if (!hasLiveWork(snapshot)) await host.detach(entry);
  await host.manager.announce(commit);
}

/** The store was unreachable: drop the actor; the runtime's scan rebuilds it from the store later. */
async function onCommitFailure(host: LiveHost, entry: LiveWorkflow, error: unknown): Promise<void> {
  host.logger?.error({ err: error, conv: keyString(entry.key) }, "live commit failed");
  await host.detach(entry);
}

/** A machine error is deterministic (restoring would fail the same way): close the workflow. */
async function onActorError(host: LiveHost, entry: LiveWorkflow, error: unknown): Promise<void> {
  host.logger?.error({ err: error, conv: keyString(entry.key) }, "live workflow actor failed");
  await entry.queue;
  if (entry.stopped) return;
  // Closed while still listed as hosted, so no scan picks the broken snapshot up in between.
  const failure = corruption("actor-failed", { workflowType: entry.type, cause: String(error) });
  await host.manager.closeBroken(entry.key, entry.version, failure).catch(() => undefined);
  await host.detach(entry);
}
