import { afterEach, describe, expect, it } from "vitest";
import { MemoryWorkflowStore } from "../../src/state/memory-store.js";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import type { HistoryEntry, WorkflowStore, WorkflowWrite } from "../../src/state/store.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../helpers/redis.js";

const key = { userId: 7, chatId: 7 };
const write = (state: string, active = true): WorkflowWrite => ({
  workflowType: "training",
  state,
  snapshot: JSON.stringify({ state }),
  active,
});

const backends: Array<[string, () => { store: WorkflowStore; cleanup: () => Promise<void> }]> = [
  [
    "redis",
    () => {
      const prefix = testPrefix("store");
      const store = new RedisWorkflowStore(REDIS_TEST_URL, prefix);
      return { store, cleanup: async () => (await store.close(), await deletePrefix(prefix)) };
    },
  ],
  ["embedded", () => ({ store: new MemoryWorkflowStore(), cleanup: async () => undefined })],
];

describe.each(backends)("WorkflowStore contract: %s", (_name, make) => {
  let cleanup: () => Promise<void> = async () => undefined;
  afterEach(() => cleanup());
  const setup = () => {
    const made = make();
    cleanup = made.cleanup;
    return made.store;
  };

  it("reads null for an unknown conversation, then what was written, with version 1", async () => {
    const store = setup();
    expect(await store.read(key)).toBeNull();
    expect(await store.compareAndSet(key, 0, write("AWAITING_DATA"))).toEqual({ ok: true, version: 1 });
    const record = await store.read(key);
    expect(record).toMatchObject({ version: 1, state: "AWAITING_DATA", workflowType: "training" });
    expect(JSON.parse(record!.snapshot)).toEqual({ state: "AWAITING_DATA" });
  });

  it("refuses a write from a stale version and reports the current one", async () => {
    const store = setup();
    await store.compareAndSet(key, 0, write("A"));
    await store.compareAndSet(key, 1, write("B"));
    expect(await store.compareAndSet(key, 1, write("C"))).toEqual({ ok: false, version: 2 });
    expect((await store.read(key))!.state).toBe("B");
  });

  it("lets exactly one of 20 concurrent writers from the same version win", async () => {
    const store = setup();
    await store.compareAndSet(key, 0, write("START"));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.compareAndSet(key, 1, write(`W${i}`))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => r.version === 2)).toBe(true);
    const winner = results.findIndex((r) => r.ok);
    expect((await store.read(key))!.state).toBe(`W${winner}`);
  });

  it("indexes active workflows and drops finished ones from the index", async () => {
    const store = setup();
    const other = { userId: 8, chatId: -100 };
    await store.compareAndSet(key, 0, write("MONITORING_TRAINING"));
    await store.compareAndSet(other, 0, write("AWAITING_DATA"));
    expect((await store.listActive()).map((k) => `${k.userId}:${k.chatId}`).sort()).toEqual(["7:7", "8:-100"]);
    await store.compareAndSet(key, 1, write("COMPLETE", false));
    expect(await store.listActive()).toEqual([other]);
  });

  it("grants a lease to one owner at a time, renews it, and frees it after the TTL", async () => {
    const store = setup();
    expect(await store.acquireLease("wf:7:7", "a", 300)).toBe(true);
    expect(await store.acquireLease("wf:7:7", "b", 300)).toBe(false);
    expect(await store.acquireLease("wf:7:7", "a", 300)).toBe(true);
    expect(await store.renewLease("wf:7:7", "b", 300)).toBe(false);
    expect(await store.renewLease("wf:7:7", "a", 300)).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(await store.acquireLease("wf:7:7", "b", 300)).toBe(true);
    await store.releaseLease("wf:7:7", "a"); // not the owner: no effect
    expect(await store.acquireLease("wf:7:7", "a", 300)).toBe(false);
    await store.releaseLease("wf:7:7", "b");
    expect(await store.acquireLease("wf:7:7", "a", 300)).toBe(true);
  });

  it("delivers change notices to subscribers", async () => {
    const store = setup();
    const seen: string[] = [];
    const stop = await store.onChange((k, v) => seen.push(`${k.userId}:${k.chatId}@${v}`));
    await store.publishChange(key, 3);
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(["7:7@3"]);
    await stop();
  });

  it("keeps per-user documents, counters and a capped history", async () => {
    const store = setup();
    expect(await store.getUserDoc(7, "settings")).toBeUndefined();
    await store.setUserDoc(7, "settings", { language: "pt", budget: { perJob: 5 } });
    expect(await store.getUserDoc(7, "settings")).toEqual({ language: "pt", budget: { perJob: 5 } });
    expect(await store.incrementUserCounter(7, "spend:2026-11", 1.25)).toBeCloseTo(1.25);
    expect(await store.incrementUserCounter(7, "spend:2026-11", 2.5)).toBeCloseTo(3.75);
    const entry = (i: number): HistoryEntry => ({
      workflowType: "training",
      workflowId: `w${i}`,
      state: "COMPLETE",
      startedAt: "2026-11-28T00:00:00.000Z",
      finishedAt: "2026-11-28T00:01:00.000Z",
      summary: { i },
    });
    for (let i = 0; i < 5; i++) await store.pushHistory(7, entry(i), 3);
    expect((await store.listHistory(7)).map((e) => e.workflowId)).toEqual(["w4", "w3", "w2"]);
    expect(await store.listHistory(8)).toEqual([]);
  });
});
