/**
 * WorkflowRuntime in one process, on both stores: live actors host long work to completion, user events race
 * the live actor's commits without losing anything, cancel stops polling, shutdown leaves nothing half done.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Commit } from "../../src/state/state-manager.js";
import { keyString } from "../../src/state/store.js";
import { FakeJobBoard } from "../helpers/workflow-host-provider.js";
import { BACKENDS, type Backend, eventually } from "./backends.js";
import { Harness, jobInput, rounds, stateOf, waitForState } from "./runtime-harness.js";

const key = { userId: 61, chatId: 610 };

describe.each(BACKENDS)("WorkflowRuntime on the %s store", (_name, makeBackend) => {
  let backend: Backend;
  let board: FakeJobBoard;
  let harness: Harness;

  const setup = () => {
    backend = makeBackend("runtime");
    board = new FakeJobBoard();
    harness = new Harness(board);
  };
  afterEach(async () => {
    await harness?.stopAll();
    await backend?.cleanup();
  });

  it("hosts a launched job until it completes, then lets go of it", async () => {
    setup();
    const { manager, runtime } = harness.host(backend.store, "p1");
    await runtime.start();
    await runtime.begin(key, "job", jobInput("w1"));
    await runtime.send(key, { type: "user.launch" });
    await waitForState(manager, key, "MONITORING");
    expect(runtime.hosted()).toEqual([keyString(key)]);
    await board.waitFor(() => board.pollsOf("w1-j1").length >= 3, 5000, "polls");
    board.complete("w1-j1");
    await waitForState(manager, key, "COMPLETED");
    await eventually(() => runtime.hosted().length === 0, "release");
    expect(board.creations()).toBe(1);
    expect(await backend.store.acquireLease(`wf:${keyString(key)}`, "someone-else", 1000)).toBe(true);
    const history = await backend.store.listHistory(key.userId);
    expect(history).toEqual([expect.objectContaining({ workflowId: "w1", state: "COMPLETED" })]);
    await board.waitFor(() => board.activeMonitors() === 0, 5000, "the monitor stopped");
    const polls = board.polls.length;
    await rounds(runtime); // renewals and scans come and go: nobody polls a finished job
    expect(board.polls.length).toBe(polls);
    expect(board.activeMonitors()).toBe(0);
  });

  it("loses no user event that races the live actor's commits, and keeps one version per commit", async () => {
    setup();
    const { manager, runtime } = harness.host(backend.store, "p1", { pollMs: 2 });
    const elsewhere = harness.host(backend.twin, "p2").manager; // another process taking user events
    const commits: Commit[] = [];
    for (const m of [manager, elsewhere])
      m.onCommit((commit) => {
        commits.push(commit);
      });
    await runtime.start();
    await runtime.begin(key, "job", jobInput("w2"));
    await runtime.send(key, { type: "user.launch" });
    await waitForState(manager, key, "MONITORING");
    const polled = board.polls.length;
    const pings = await Promise.allSettled(
      Array.from({ length: 30 }, async (_, i) => {
        // Spread over the 2 ms polls: ping i goes out once i more polls were made.
        await board.waitFor(() => board.polls.length >= polled + i, 5000, `poll ${i}`);
        return i % 2 === 0
          ? runtime.send(key, { type: "user.ping" })
          : elsewhere.transition(key, { type: "user.ping" });
      }),
    );
    expect(pings.filter((p) => p.status === "rejected")).toEqual([]);
    board.complete("w2-j1");
    await waitForState(manager, key, "COMPLETED");
    const state = await manager.getState(key.userId, key.chatId);
    expect(state?.data.pings).toBe(30);
    // Each accepted ping also restarts the monitor (its actor was stale); progress still got committed.
    expect(commits.filter((c) => c.source === "live").length).toBeGreaterThan(0);
    const record = await backend.store.read(key);
    expect(record?.version).toBe(commits.length);
    expect(commits.map((c) => c.version).sort((a, b) => a - b)).toEqual(commits.map((_, i) => i + 1));
    expect(board.creations()).toBe(1);
  });

  it("drops a live actor whose commit lost to a user event, and rebuilds it from the store", async () => {
    setup();
    const { manager, runtime } = harness.host(backend.store, "p1");
    const proposals: Array<Commit | null> = [];
    const propose = manager.commitProposal.bind(manager);
    let raced = false;
    manager.commitProposal = async (...args) => {
      if (!raced && args[4].context.progress > 0) {
        raced = true; // a user event lands between the actor's decision and its write
        await manager.transition(key, { type: "user.ping" });
      }
      const result = await propose(...args);
      proposals.push(result);
      return result;
    };
    await runtime.start();
    await runtime.begin(key, "job", jobInput("w6"));
    await runtime.send(key, { type: "user.launch" });
    await eventually(() => proposals.includes(null), "a lost proposal");
    const polls = board.pollsOf("w6-j1").length;
    await board.waitFor(() => board.pollsOf("w6-j1").length > polls + 2, 5000, "polling again");
    board.complete("w6-j1");
    await waitForState(manager, key, "COMPLETED");
    expect((await backend.store.listHistory(key.userId))[0].summary).toEqual({ jobId: "w6-j1", pings: 1 });
    expect(proposals.filter((p) => p === null)).toHaveLength(1);
  });

  it("cancels a running job through the provider and stops polling", async () => {
    setup();
    const { manager, runtime } = harness.host(backend.store, "p1");
    await runtime.start();
    await runtime.begin(key, "job", jobInput("w3"));
    await runtime.send(key, { type: "user.launch" });
    await board.waitFor(() => board.pollsOf("w3-j1").length >= 2, 5000, "polls");
    await runtime.send(key, { type: "user.cancel" });
    await waitForState(manager, key, "CANCELLED");
    expect(board.cancels).toEqual(["w3-j1"]);
    await board.waitFor(() => board.activeMonitors() === 0, 5000, "the monitor stopped");
    const polls = board.polls.length;
    await rounds(runtime);
    expect(board.polls.length).toBe(polls);
    expect(board.activeMonitors()).toBe(0);
    expect(runtime.hosted()).toEqual([]);
  });

  it("shuts down during a launch without an error, and a new process finishes the launch exactly once", async () => {
    setup();
    board.createDelayMs = 60_000;
    const first = harness.host(backend.store, "p1");
    await first.runtime.start();
    await first.runtime.begin(key, "job", jobInput("w4"));
    await first.runtime.send(key, { type: "user.launch" });
    await board.waitFor(() => board.createCalls.length === 1, 5000, "create call");
    await first.runtime.stop();
    expect(await stateOf(first.manager, key)).toBe("LAUNCHING");
    board.createDelayMs = 0;
    const second = harness.host(backend.twin, "p2");
    await second.runtime.start(); // the lease was released: no need to wait for it to expire
    expect(second.runtime.hosted()).toEqual([keyString(key)]);
    await waitForState(second.manager, key, "MONITORING");
    board.complete("w4-j1");
    await waitForState(second.manager, key, "COMPLETED");
    expect(board.createCalls.map((c) => c.created)).toEqual([true, false]);
    expect(board.pollsOf("w4-j1", "p1")).toEqual([]);
  });

  it("restores a monitored workflow on start-up and resumes polling", async () => {
    setup();
    const before = harness.host(backend.store, "p1");
    await before.runtime.start();
    await before.runtime.begin(key, "job", jobInput("w5"));
    await before.runtime.send(key, { type: "user.launch" });
    await board.waitFor(() => board.pollsOf("w5-j1").length >= 1, 5000, "polls");
    await before.runtime.stop();
    const after = harness.host(backend.twin, "p2");
    await after.runtime.start();
    await board.waitFor(() => board.pollsOf("w5-j1", "p2").length >= 2, 5000, "polls after restart");
    board.complete("w5-j1");
    await waitForState(after.manager, key, "COMPLETED");
    expect(board.creations()).toBe(1);
  });
});
