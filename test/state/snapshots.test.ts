/**
 * Snapshot schema versioning and corruption, through StateManager: an older envelope is migrated; one that
 * cannot be migrated, or is corrupt, raises StateCorruptionError with details.reason, is closed (never
 * recovered again, never silently dropped) and leaves other conversations alone.
 */
import { afterEach, describe, expect, it } from "vitest";
import { StateCorruptionError, StateManagementError } from "../../src/errors.js";
import type { WorkflowDefinition } from "../../src/state/definitions.js";
import { StateManager } from "../../src/state/state-manager.js";
import type { ConversationKey, WorkflowStore } from "../../src/state/store.js";
import { counterDefinition } from "../helpers/workflow-host-machines.js";
import { BACKENDS, type Backend } from "./backends.js";

const key = { userId: 51, chatId: 510 };
const other = { userId: 52, chatId: 520 };
const started = { workflowId: "w1", startedAt: "2026-11-28T10:00:00.000Z" };

/** Version 2 of the counter; version 1 called the count `n`. Version 0 cannot be carried over. */
const counterV2: WorkflowDefinition = {
  ...counterDefinition,
  version: 2,
  migrate: (from, persisted) => {
    if (from !== 1) return undefined;
    const p = persisted as { context: Record<string, unknown> };
    const { n, ...rest } = p.context;
    return { ...p, context: { ...rest, count: n } };
  },
};

const v1Snapshot = (n: number) => ({
  status: "active",
  value: "COUNTING",
  historyValue: {},
  context: { ...started, n, limit: 100, history: [] },
  children: {},
});

async function put(store: WorkflowStore, k: ConversationKey, snapshot: string, state = "COUNTING") {
  const version = await store.readVersion(k);
  await store.compareAndSet(k, version, { workflowType: "counter", state, snapshot, active: true });
}

const envelope = (v: number, snapshot: unknown) => JSON.stringify({ machine: "counter", v, snapshot });

describe.each(BACKENDS)("snapshot versions and corruption on the %s store", (_name, makeBackend) => {
  let backend: Backend;
  afterEach(() => backend?.cleanup());

  const setup = async () => {
    backend = makeBackend("snapshots");
    const manager = new StateManager(backend.store, [counterV2]);
    await manager.start(other, "counter", started);
    return manager;
  };

  /** The corrupt conversation is closed and reported; the other one works as before. */
  async function expectClosed(manager: StateManager, reason: string) {
    const untouched = await backend.store.read(key);
    expect(await manager.inspect(key)).toBeNull(); // a background read changes nothing
    expect(await backend.store.read(key)).toEqual(untouched);
    const error = await manager.load(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateCorruptionError);
    expect((error as StateCorruptionError).toJSON()).toMatchObject({
      error_code: 5002,
      details: { reason },
      recovery_suggestion: expect.stringContaining("reset"),
    });
    const record = await backend.store.read(key);
    expect(record?.state).toBe(`CLOSED:${reason}`);
    expect(JSON.parse(record!.snapshot).previous).toBeTypeOf("string"); // kept for diagnosis
    expect((await backend.store.listActive()).map((k) => k.userId)).toEqual([other.userId]);
    // Reported once: afterwards the conversation simply has no workflow, and a new one can start.
    expect(await manager.load(key)).toBeNull();
    await expect(manager.transition(key, { type: "inc" })).rejects.toMatchObject({ code: 5001 });
    await manager.start(key, "counter", { ...started, workflowId: "w2" });
    expect((await manager.getState(key.userId, key.chatId))?.state).toBe("COUNTING");
    await manager.transition(other, { type: "inc" });
    expect((await manager.getState(other.userId, other.chatId))?.data.count).toBe(1);
  }

  it("migrates a snapshot from the previous version and stores the new version on the next commit", async () => {
    const manager = await setup();
    await put(backend.store, key, envelope(1, v1Snapshot(5)));
    expect((await manager.inspect(key))?.snapshot.context).toMatchObject({ count: 5 });
    expect((await manager.getState(key.userId, key.chatId))?.data).toMatchObject({ count: 5 });
    await manager.transition(key, { type: "inc" });
    const stored = JSON.parse((await backend.store.read(key))!.snapshot);
    expect(stored).toMatchObject({ machine: "counter", v: 2, snapshot: { context: { count: 6 } } });
    expect(stored.snapshot.context).not.toHaveProperty("n");
  });

  it("closes a snapshot that cannot be migrated", async () => {
    const manager = await setup();
    await put(backend.store, key, envelope(0, v1Snapshot(5)));
    await expectClosed(manager, "outdated");
  });

  it("closes a snapshot whose migration throws", async () => {
    const manager = await setup();
    await put(backend.store, key, envelope(1, { ...v1Snapshot(1), context: null }));
    await expectClosed(manager, "outdated");
  });

  it("closes a snapshot that is not JSON", async () => {
    const manager = await setup();
    await put(backend.store, key, '{"machine":"counter","v":2,"snap');
    await expectClosed(manager, "unreadable");
  });

  it("closes a snapshot of the wrong shape", async () => {
    const manager = await setup();
    await put(backend.store, key, envelope(2, { status: "active", value: 42, context: "x", children: {} }));
    await expectClosed(manager, "unreadable");
  });

  it("closes a snapshot whose context fails the machine's schema", async () => {
    const manager = await setup();
    const snapshot = { ...v1Snapshot(0), context: { ...started, count: -3, limit: 1, history: [] } };
    await put(backend.store, key, envelope(2, snapshot));
    await expectClosed(manager, "invalid-context");
  });

  it("closes a snapshot in a state the machine no longer has", async () => {
    const manager = await setup();
    const snapshot = { ...v1Snapshot(0), value: "GONE", context: { ...started, count: 0, limit: 1 } };
    await put(backend.store, key, envelope(2, snapshot));
    await expectClosed(manager, "invalid-state");
  });

  it("closes a snapshot of a workflow type this version does not have", async () => {
    const manager = await setup();
    await put(backend.store, key, JSON.stringify({ machine: "stats", v: 1, snapshot: {} }));
    await expectClosed(manager, "unknown-workflow");
  });

  it("leaves a snapshot from a newer version alone: another replica may run it", async () => {
    const manager = await setup();
    await put(backend.store, key, envelope(3, v1Snapshot(1)));
    const before = await backend.store.read(key);
    const error = await manager.load(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateManagementError);
    expect(error).not.toBeInstanceOf(StateCorruptionError);
    expect((error as StateManagementError).details.reason).toBe("newer-version");
    expect(await backend.store.read(key)).toEqual(before);
  });

  it("reset closes a working workflow once", async () => {
    const manager = await setup();
    expect(await manager.reset(other, "user-request")).toBe(true);
    expect(await manager.reset(other, "user-request")).toBe(false);
    expect(await manager.load(other)).toBeNull();
    expect(await backend.store.listActive()).toEqual([]);
  });
});
