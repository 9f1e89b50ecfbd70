import { afterEach, describe, expect, it } from "vitest";
import { MemoryWorkflowStore } from "../../src/state/memory-store.js";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import {
  type HistoryEntry,
  keyString,
  type WorkflowStore,
  type WorkflowWrite,
} from "../../src/state/store.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../helpers/redis.js";

const key = { userId: 7, chatId: 7 };
const write = (state: string, active = true): WorkflowWrite => ({
  workflowType: "training",
  state,
  snapshot: JSON.stringify({ state }),
  active,
});

interface Backend {
  store: WorkflowStore;
  /** A second handle on the same data, as another process would have (the embedded store has only one). */
  twin: WorkflowStore;
  cleanup: () => Promise<void>;
}

const backends: Array<[string, () => Backend]> = [
  [
    "redis",
    () => {
      const prefix = testPrefix("store");
      const store = new RedisWorkflowStore(REDIS_TEST_URL, prefix);
      const twin = new RedisWorkflowStore(REDIS_TEST_URL, prefix);
      return {
        store,
        twin,
        cleanup: async () => {
          await store.close();
          await twin.close();
          await deletePrefix(prefix);
        },
      };
    },
  ],
  [
    "embedded",
    () => {
      const store = new MemoryWorkflowStore();
      return { store, twin: store, cleanup: async () => undefined };
    },
  ],
];

const historyEntry = (i: number): HistoryEntry => ({
  workflowType: "training",
  workflowId: `w${i}`,
  state: "COMPLETE",
  startedAt: "2026-11-28T00:00:00.000Z",
  finishedAt: "2026-11-28T00:01:00.000Z",
  summary: { i },
});

/** Waits for a condition to hold (checked every 10 ms); fails if it never does. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(backends)("WorkflowStore contract: %s", (_name, make) => {
  let cleanup: () => Promise<void> = async () => undefined;
  afterEach(() => cleanup());
  let twin: WorkflowStore;
  const setup = () => {
    const made = make();
    cleanup = made.cleanup;
    twin = made.twin;
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
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.compareAndSet(key, 1, write(`W${i}`))),
    );
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
    expect((await store.listActive()).map((k) => `${k.userId}:${k.chatId}`).sort()).toEqual([
      "7:7",
      "8:-100",
    ]);
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
    // The lease lapses 300 ms after the last renewal: b gets it then (and a no longer holds it).
    await until(async () => store.acquireLease("wf:7:7", "b", 300), 5_000);
    await store.releaseLease("wf:7:7", "a"); // not the owner: no effect
    expect(await store.acquireLease("wf:7:7", "a", 300)).toBe(false);
    await store.releaseLease("wf:7:7", "b");
    expect(await store.acquireLease("wf:7:7", "a", 300)).toBe(true);
  });

  it("delivers change notices to subscribers", async () => {
    const store = setup();
    let noticed!: (notice: string) => void;
    const seen = new Promise<string>((resolve) => (noticed = resolve));
    const stop = await store.onChange((k, v) => noticed(`${k.userId}:${k.chatId}@${v}`));
    await store.publishChange(key, 3);
    expect(await seen).toBe("7:7@3");
    await stop();
  });

  it("keeps per-user documents, counters and a capped history", async () => {
    const store = setup();
    expect(await store.getUserDoc(7, "settings")).toBeUndefined();
    await store.setUserDoc(7, "settings", { language: "pt", budget: { perJob: 5 } });
    expect(await store.getUserDoc(7, "settings")).toEqual({ language: "pt", budget: { perJob: 5 } });
    expect(await store.incrementUserCounter(7, "spend:2026-11", 1.25)).toBeCloseTo(1.25);
    expect(await store.incrementUserCounter(7, "spend:2026-11", 2.5)).toBeCloseTo(3.75);
    for (let i = 0; i < 5; i++) await store.pushHistory(7, historyEntry(i), 3);
    expect((await store.listHistory(7)).map((e) => e.workflowId)).toEqual(["w4", "w3", "w2"]);
    expect(await store.listHistory(8)).toEqual([]);
  });

  it("reads the bare version cheaply: 0 when absent", async () => {
    const store = setup();
    expect(await store.readVersion(key)).toBe(0);
    await store.compareAndSet(key, 0, write("A"));
    await store.compareAndSet(key, 1, write("B"));
    expect(await store.readVersion(key)).toBe(2);
  });

  it("indexes workflows with long work separately, and only while they are active", async () => {
    const store = setup();
    const other = { userId: 8, chatId: 8 };
    await store.compareAndSet(key, 0, { ...write("MONITORING"), live: true });
    await store.compareAndSet(other, 0, write("AWAITING_DATA"));
    expect(await store.listLive()).toEqual([key]);
    await store.compareAndSet(key, 1, { ...write("CANCELLED", false), live: true });
    expect(await store.listLive()).toEqual([]);
    expect(await store.listActive()).toEqual([other]);
  });

  it("appends the history entry in the same step as the winning write, never for a losing one", async () => {
    const store = setup();
    await store.compareAndSet(key, 0, write("RUNNING"));
    const finishing = (i: number) => ({ ...write("COMPLETE", false), history: historyEntry(i) });
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => store.compareAndSet(key, 1, finishing(i))));
    const winner = results.findIndex((r) => r.ok);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect((await store.listHistory(7)).map((e) => e.workflowId)).toEqual([`w${winner}`]);
  });

  it("caps the history at 20 entries, newest first", async () => {
    const store = setup();
    for (let i = 0; i < 25; i++)
      await store.compareAndSet(key, i, { ...write(`S${i}`), history: historyEntry(i) });
    const history = await store.listHistory(7);
    expect(history).toHaveLength(20);
    expect(history[0].workflowId).toBe("w24");
    expect(history[19].workflowId).toBe("w5");
  });

  it("announces every committed write with its version and whether it needs a host", async () => {
    const store = setup();
    const seen: string[] = [];
    const stop = await twin.onChange((k, v, needsHost) => seen.push(`${keyString(k)}@${v}:${needsHost}`));
    await store.compareAndSet(key, 0, write("A"));
    await store.compareAndSet(key, 1, { ...write("LAUNCHING"), live: true, needsHost: true });
    await store.compareAndSet(key, 1, write("LOST")); // refused: not announced
    await store.compareAndSet(key, 2, write("AFTER")); // announced after anything the refused write caused
    await until(() => seen.length >= 3);
    expect(seen).toEqual(["7:7@1:false", "7:7@2:true", "7:7@3:false"]);
    await stop();
  });

  it("updates a user document without losing concurrent changes from two handles", async () => {
    const store = setup();
    const append = (s: WorkflowStore, item: string) =>
      s.updateUserDoc(7, "items", (current) => [...((current as string[] | undefined) ?? []), item]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(i % 2 === 0 ? store : twin, `i${i}`)));
    const items = (await store.getUserDoc<string[]>(7, "items"))!;
    expect(items).toHaveLength(20);
    expect(new Set(items)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `i${i}`)));
  });

  it("writes nothing when the change function throws", async () => {
    const store = setup();
    await store.setUserDoc(7, "doc", { a: 1 });
    const failing = store.updateUserDoc(7, "doc", () => {
      throw new Error("refused");
    });
    await expect(failing).rejects.toThrow("refused");
    expect(await store.getUserDoc(7, "doc")).toEqual({ a: 1 });
  });

  it("keeps integer counters exact and applies a once-token only once", async () => {
    const store = setup();
    const big = 2 ** 52;
    expect(await store.incrementUserCounter(7, "micros", big)).toBe(big);
    expect(await store.incrementUserCounter(7, "micros", 1)).toBe(big + 1);
    expect(await store.incrementUserCounter(7, "spend", 300, "job-1")).toBe(300);
    const repeats = await Promise.all(
      [1, 2, 3].map(() => twin.incrementUserCounter(7, "spend", 300, "job-1")),
    );
    expect(repeats).toEqual([300, 300, 300]);
    expect(await store.incrementUserCounter(7, "spend", 5, "job-2")).toBe(305);
  });
});
