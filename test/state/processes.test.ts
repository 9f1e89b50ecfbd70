/**
 * Real processes against one Redis (test/helpers/workflow-host.ts): a host SIGKILLed while a launch is in
 * flight and again while monitoring loses nothing and launches nothing twice; two hosts give every workflow
 * exactly one poller, and the survivor takes over a killed host's workflows once their leases expire.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import { StateManager } from "../../src/state/state-manager.js";
import { type ConversationKey, keyString } from "../../src/state/store.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../helpers/redis.js";
import { counterDefinition, jobDefinition } from "../helpers/workflow-host-machines.js";
import { WorkflowHost } from "../helpers/workflow-host-process.js";
import { FakeJobBoard } from "../helpers/workflow-host-provider.js";
import { waitForState } from "./runtime-harness.js";

/** Long enough that a child stalled by a busy CI machine keeps its lease; takeovers take about this long. */
const LEASE_TTL_MS = 1500;
const POLL_MS = 50;

interface World {
  board: FakeJobBoard;
  /** Reads the workflows; hosts nothing. */
  observer: StateManager;
  spawn(owner: string): Promise<WorkflowHost>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world(name: string): Promise<World> {
  const board = new FakeJobBoard();
  const server = await board.serve();
  const prefix = testPrefix(name);
  const store = new RedisWorkflowStore(REDIS_TEST_URL, prefix);
  const hosts: WorkflowHost[] = [];
  cleanups.push(async () => {
    await Promise.all(hosts.map((h) => h.kill()));
    await server.close();
    await store.close();
    await deletePrefix(prefix);
  });
  return {
    board,
    observer: new StateManager(store, [jobDefinition(board.ports("observer")), counterDefinition]),
    async spawn(owner) {
      const options = { redisUrl: REDIS_TEST_URL, prefix, providerUrl: server.url, pollMs: POLL_MS };
      const host = await WorkflowHost.spawn({ owner, leaseTtlMs: LEASE_TTL_MS, ...options });
      hosts.push(host);
      return host;
    },
  };
}

const input = (workflowId: string) => ({ workflowId, startedAt: new Date().toISOString() });

async function launch(host: WorkflowHost, key: ConversationKey, workflowId: string): Promise<void> {
  expect(await host.begin(key, "job", input(workflowId))).toMatchObject({ ok: true, state: "IDLE" });
  expect(await host.send(key, { type: "user.launch" })).toMatchObject({ ok: true, state: "LAUNCHING" });
}

describe("crash recovery with real processes", () => {
  it("is killed while launching and while monitoring, launches once, resumes polling and completes", async () => {
    const { board, observer, spawn } = await world("crash");
    const key = { userId: 91, chatId: 910 };
    const jobId = "crash-j1";

    board.createDelayMs = 60_000; // the create call is still in flight when the host dies
    const a = await spawn("a");
    await launch(a, key, "crash");
    await board.waitFor(() => board.createCalls.length === 1, 10_000, "the create call");
    await a.kill();
    expect((await observer.getState(key.userId, key.chatId))?.state).toBe("LAUNCHING");

    const b = await spawn("b"); // takes the workflow once a's lease expires, and re-runs the launch
    await board.waitFor(() => board.pollsOf(jobId, "b").length >= 2, 10_000, "b polling");
    expect((await observer.getState(key.userId, key.chatId))?.state).toBe("MONITORING");
    await b.kill();
    const killedAt = Date.now();

    const c = await spawn("c");
    await board.waitFor(() => board.pollsOf(jobId, "c").length >= 2, 10_000, "c polling");
    board.complete(jobId);
    await waitForState(observer, key, "COMPLETED");

    expect(board.creations(jobId)).toBe(1);
    expect(board.createCalls.map((call) => [call.owner, call.created])).toEqual([
      ["a", true],
      ["b", false], // found the job a had created
    ]);
    expect(board.pollsOf(jobId, "a")).toEqual([]);
    expect(board.pollsOf(jobId, "b").every((p) => p.at <= killedAt)).toBe(true);
    expect(board.cancels).toEqual([]);
    const history = await observer.store.listHistory(key.userId);
    expect(history).toEqual([expect.objectContaining({ workflowId: "crash", state: "COMPLETED" })]);
    expect(await c.hosted()).toEqual([]);
  });
});

describe("two processes against one Redis", () => {
  it("give every workflow exactly one poller, and the survivor takes over a killed host's workflows", async () => {
    const { board, observer, spawn } = await world("pair");
    const [p1, p2] = await Promise.all([spawn("p1"), spawn("p2")]);
    const keys = Array.from({ length: 6 }, (_, i) => ({ userId: 100 + i, chatId: 1000 + i }));
    const jobOf = (i: number) => `pair${i}-j1`;
    await Promise.all(keys.map((key, i) => launch(i < 3 ? p1 : p2, key, `pair${i}`)));
    const everyJobPolled = (n: number, owner?: string) => () =>
      keys.every((_, i) => board.pollsOf(jobOf(i), owner).length >= n);
    await board.waitFor(everyJobPolled(3), 10_000, "every job polled");
    await Promise.all([p1.rounds(), p2.rounds()]); // several renewals and scans in both

    const ownersOf = (i: number) => new Set(board.pollsOf(jobOf(i)).map((p) => p.owner));
    for (const [i] of keys.entries()) expect(ownersOf(i).size).toBe(1);
    const hosted = { p1: await p1.hosted(), p2: await p2.hosted() };
    expect([...hosted.p1, ...hosted.p2].sort()).toEqual(keys.map(keyString).sort());

    const [victim, survivor] = hosted.p1.length > 0 ? [p1, p2] : [p2, p1];
    const orphans = keys.flatMap((key, i) =>
      hosted[victim.owner as "p1" | "p2"].includes(keyString(key)) ? [i] : [],
    );
    await victim.kill();
    const killedAt = Date.now();
    await board.waitFor(
      () => orphans.every((i) => board.pollsOf(jobOf(i), survivor.owner).some((p) => p.at > killedAt)),
      10_000,
      "the survivor polling every orphan",
    );
    expect((await survivor.hosted()).sort()).toEqual(keys.map(keyString).sort());

    for (const [i] of keys.entries()) board.complete(jobOf(i));
    for (const key of keys) await waitForState(observer, key, "COMPLETED");
    for (const [i] of keys.entries()) expect(board.creations(jobOf(i))).toBe(1);
    // Never two pollers at once: after the kill, only the survivor polled.
    expect(board.polls.filter((p) => p.at > killedAt + 50 && p.owner === victim.owner)).toEqual([]);
  });
});
