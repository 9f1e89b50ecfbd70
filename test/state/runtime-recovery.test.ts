/**
 * WorkflowRuntime recovery in one process: leases between two runtimes (two "processes" on two store
 * handles), a stolen lease, a change missed on pub/sub, and snapshots that must never be started (not
 * migratable, unknown state, unknown actor, a machine that fails while running).
 */
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { fromCallback, fromPromise } from "xstate";
import type { StateCorruptionError } from "../../src/errors.js";
import type { WorkflowDefinition } from "../../src/state/definitions.js";
import { type ConversationKey, keyString, type WorkflowStore } from "../../src/state/store.js";
import { REDIS_TEST_URL } from "../helpers/redis.js";
import { jobDefinition, jobMachine } from "../helpers/workflow-host-machines.js";
import { FakeJobBoard } from "../helpers/workflow-host-provider.js";
import { BACKENDS, type Backend, eventually, redisBackend } from "./backends.js";
import { Harness, jobInput, rounds, stateOf, waitForState } from "./runtime-harness.js";

const key = { userId: 71, chatId: 710 };
const other = { userId: 72, chatId: 720 };

/** Stores a job workflow in MONITORING (as a crashed process would have left it), with no runtime. */
async function storeMonitoring(harness: Harness, store: WorkflowStore, k: ConversationKey, id: string) {
  const { manager } = harness.host(store, "writer");
  await manager.start(k, "job", jobInput(id));
  await manager.transition(k, { type: "user.launch" });
  const record = (await store.read(k))!;
  const envelope = JSON.parse(record.snapshot);
  envelope.snapshot.value = "MONITORING";
  envelope.snapshot.children = {
    monitor: { src: "monitorJob", snapshot: { status: "active", input: { jobId: `${id}-j1` } } },
  };
  return { record, envelope };
}

async function overwrite(store: WorkflowStore, k: ConversationKey, version: number, envelope: unknown) {
  const snapshot = JSON.stringify(envelope);
  await store.compareAndSet(k, version, {
    workflowType: "job",
    state: "MONITORING",
    snapshot,
    active: true,
    live: true,
  });
}

describe.each(BACKENDS)("runtime recovery on the %s store", (_name, makeBackend) => {
  let backend: Backend;
  let board: FakeJobBoard;
  let harness: Harness;
  const setup = () => {
    backend = makeBackend("recovery");
    board = new FakeJobBoard();
    harness = new Harness(board);
  };
  afterEach(async () => {
    await harness?.stopAll();
    await backend?.cleanup();
  });

  it("gives a workflow to exactly one of two runtimes, and the other takes over when it stops", async () => {
    setup();
    // A longer lease: "one poller" must not depend on this busy test process never stalling for 600 ms.
    const a = harness.host(backend.store, "a", { leaseTtlMs: 1500 });
    const b = harness.host(backend.twin, "b", { leaseTtlMs: 1500 });
    await Promise.all([a.runtime.start(), b.runtime.start()]);
    await a.runtime.begin(key, "job", jobInput("w1"));
    await b.runtime.send(key, { type: "user.launch" }); // committed by b: either may host it
    await board.waitFor(() => board.pollsOf("w1-j1").length >= 5, 5000, "polls");
    await Promise.all([rounds(a.runtime), rounds(b.runtime)]); // several renewals and scans on both
    const owners = new Set(board.pollsOf("w1-j1").map((p) => p.owner));
    expect(owners.size).toBe(1);
    const [first] = owners;
    const [host, survivor] = first === "a" ? [a, b] : [b, a];
    expect(host.runtime.hosted()).toEqual([keyString(key)]);
    expect(survivor.runtime.hosted()).toEqual([]);
    await host.runtime.stop();
    await board.waitFor(() => board.pollsOf("w1-j1", survivor.owner).length >= 2, 5000, "takeover");
    board.complete("w1-j1");
    await waitForState(survivor.manager, key, "COMPLETED");
    expect(board.creations()).toBe(1);
  });

  it("drops the actor when its lease is taken, and hosts it again once the lease is free", async () => {
    setup();
    const { runtime } = harness.host(backend.store, "a");
    await runtime.start();
    await runtime.begin(key, "job", jobInput("w2"));
    await runtime.send(key, { type: "user.launch" });
    await board.waitFor(() => board.pollsOf("w2-j1").length >= 2, 5000, "polls");
    const lease = `wf:${keyString(key)}`;
    await backend.store.releaseLease(lease, "a");
    expect(await backend.store.acquireLease(lease, "intruder", 60_000)).toBe(true);
    await eventually(() => runtime.hosted().length === 0, "the actor dropped");
    await board.waitFor(() => board.activeMonitors() === 0, 5000, "the monitor stopped");
    const polls = board.polls.length;
    await rounds(runtime); // the intruder holds the lease through them: nothing polls
    expect(board.polls.length).toBe(polls);
    await backend.store.releaseLease(lease, "intruder");
    await eventually(() => runtime.hosted().length === 1, "hosted again");
    await board.waitFor(() => board.polls.length > polls, 5000, "polling again");
  });

  it("never starts an unusable snapshot found at start-up: closes it, tells the user, hosts the rest", async () => {
    setup();
    const bad: Record<
      string,
      (e: Record<string, unknown> & { snapshot: Record<string, unknown> }) => unknown
    > = {
      outdated: (e) => ({ ...e, v: 0 }),
      "invalid-state": (e) => ({ ...e, snapshot: { ...e.snapshot, value: "GONE" } }),
      "lost-actor": (e) => ({
        ...e,
        snapshot: {
          ...e.snapshot,
          children: { monitor: { src: "renamedActor", snapshot: { status: "active" } } },
        },
      }),
    };
    const keys = Object.keys(bad).map((_, i) => ({ userId: 80 + i, chatId: 800 + i }));
    for (const [i, make] of Object.values(bad).entries()) {
      const { record, envelope } = await storeMonitoring(harness, backend.store, keys[i], `bad${i}`);
      await overwrite(backend.store, keys[i], record.version, make(envelope));
    }
    const good = await storeMonitoring(harness, backend.store, other, "good");
    await overwrite(backend.store, other, good.record.version, good.envelope);
    board.jobs.set("good-j1", { progress: 0, complete: false });

    const told: string[] = [];
    const { manager, runtime } = harness.host(backend.twin, "r");
    manager.onClosed((k, error: StateCorruptionError) => {
      told.push(`${k.userId}:${error.details.reason}`);
    });
    await runtime.start();
    expect(told.sort()).toEqual(["80:outdated", "81:invalid-state", "82:invalid-state"]);
    expect(runtime.hosted()).toEqual([keyString(other)]);
    await board.waitFor(() => board.pollsOf("good-j1").length >= 1, 5000, "the good one polled");
    expect(board.polls.filter((p) => p.jobId.startsWith("bad"))).toEqual([]);
    for (const k of keys) expect(await manager.load(k)).toBeNull(); // told once, by the listener
    expect((await backend.store.listLive()).map(keyString)).toEqual([keyString(other)]);
  });

  it("without a closed-listener, the next load tells the user (once)", async () => {
    setup();
    const { record, envelope } = await storeMonitoring(harness, backend.store, key, "w3");
    await overwrite(backend.store, key, record.version, { ...envelope, v: 0 });
    const { manager, runtime } = harness.host(backend.twin, "r");
    await runtime.start();
    expect(runtime.hosted()).toEqual([]);
    await expect(manager.load(key)).rejects.toMatchObject({ code: 5002, details: { reason: "outdated" } });
    expect(await manager.load(key)).toBeNull();
  });

  it("closes a workflow whose machine fails while running, without an uncaught error", async () => {
    setup();
    const failing: WorkflowDefinition = {
      ...jobDefinition(board.ports("x")),
      machine: jobMachine.provide({
        actors: {
          launchJob: fromPromise<void, { jobId: string }>(async () => undefined),
          monitorJob: fromCallback(() => {
            throw new Error("monitor crashed");
          }),
        },
      }),
    };
    const { manager, runtime } = harness.host(backend.store, "a", { definitions: [failing] });
    const told: unknown[] = [];
    manager.onClosed((_k, error) => {
      told.push(error.details.reason);
    });
    await runtime.start();
    await runtime.begin(key, "job", jobInput("w4"));
    await runtime.send(key, { type: "user.launch" });
    await eventually(() => told.length === 1, "closed");
    expect(told).toEqual(["actor-failed"]);
    await eventually(() => runtime.hosted().length === 0, "the broken actor dropped");
    await rounds(runtime); // scans and renewals come and go: nothing hosts it again
    expect(runtime.hosted()).toEqual([]);
    expect(told).toHaveLength(1);
    expect(await stateOf(manager, key)).toBeUndefined();
    expect((await backend.store.read(key))?.state).toBe("CLOSED:actor-failed");
  });
});

describe("runtime recovery on Redis only", () => {
  let backend: ReturnType<typeof redisBackend>;
  let harness: Harness;
  afterEach(async () => {
    await harness?.stopAll();
    await backend?.cleanup();
  });

  it("notices at the next lease renewal a change it missed on pub/sub", async () => {
    backend = redisBackend("missed");
    const board = new FakeJobBoard();
    harness = new Harness(board);
    const { manager, runtime } = harness.host(backend.store, "a");
    await runtime.start();
    await runtime.begin(key, "job", jobInput("w5"));
    await runtime.send(key, { type: "user.launch" });
    await board.waitFor(() => board.pollsOf("w5-j1").length >= 2, 5000, "polls");
    // Another writer finishes the workflow behind the runtime's back: no notice is published.
    const record = (await backend.store.read(key))!;
    const envelope = JSON.parse(record.snapshot);
    envelope.snapshot = { ...envelope.snapshot, status: "done", value: "CANCELLED", children: {} };
    const redis = new Redis(REDIS_TEST_URL);
    await redis.hset(
      `${backend.prefix}:wf:${keyString(key)}`,
      "v",
      record.version + 5,
      "snap",
      JSON.stringify(envelope),
    );
    await redis.quit();
    await eventually(() => runtime.hosted().length === 0, "the stale actor dropped");
    expect(await stateOf(manager, key)).toBe("CANCELLED");
    await board.waitFor(() => board.activeMonitors() === 0, 5000, "the monitor stopped");
    const polls = board.polls.length;
    await rounds(runtime);
    expect(board.polls.length).toBe(polls);
  });
});
