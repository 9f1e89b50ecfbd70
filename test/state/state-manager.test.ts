/**
 * StateManager against both stores: the seed API (getState, validateTransition, the 5001 error), concurrency
 * on one conversation, and the history written exactly once when a workflow finishes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { InvalidTransitionError, StateManagementError } from "../../src/errors.js";
import { StateManager } from "../../src/state/state-manager.js";
import { counterDefinition, jobDefinition } from "../helpers/workflow-host-machines.js";
import { FakeJobBoard } from "../helpers/workflow-host-provider.js";
import { BACKENDS, type Backend } from "./backends.js";

const key = { userId: 41, chatId: 410 };
const input = (workflowId: string) => ({ workflowId, startedAt: "2026-11-28T10:00:00.000Z" });

describe.each(BACKENDS)("StateManager on the %s store", (_name, makeBackend) => {
  let backend: Backend;
  afterEach(() => backend?.cleanup());

  const managers = () => {
    backend = makeBackend("manager");
    const definitions = [counterDefinition, jobDefinition(new FakeJobBoard().ports("test"))];
    // Two managers on two handles: two processes racing on one conversation.
    return [new StateManager(backend.store, definitions), new StateManager(backend.twin, definitions)];
  };

  it("getState returns the state, workflow type, context and back-history", async () => {
    const [manager] = managers();
    expect(await manager.getState(key.userId, String(key.chatId))).toBeNull();
    await manager.start(key, "job", input("w1"));
    await manager.transition(key, { type: "user.launch" });
    const state = await manager.getState(key.userId, key.chatId);
    expect(state).toEqual({
      state: "LAUNCHING",
      workflowType: "job",
      data: expect.objectContaining({ workflowId: "w1", jobId: "w1-j1", progress: 0 }),
      history: ["IDLE"],
    });
  });

  it("getState takes a forum topic as chatId:threadId and refuses a malformed id", async () => {
    const [manager] = managers();
    await manager.start({ ...key, threadId: 7 }, "counter", input("w2"));
    expect((await manager.getState(key.userId, `${key.chatId}:7`))?.state).toBe("COUNTING");
    expect(await manager.getState(key.userId, key.chatId)).toBeNull();
    await expect(manager.getState(key.userId, "conv_456")).rejects.toBeInstanceOf(StateManagementError);
  });

  it("rejects an event the state does not accept with the 5001 error shape, and changes nothing", async () => {
    const [manager] = managers();
    await manager.start(key, "job", input("w3"));
    const before = await backend.store.read(key);
    const error = await manager.transition(key, { type: "job.completed" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTransitionError);
    const json = (error as InvalidTransitionError).toJSON();
    expect(json).toMatchObject({
      error_code: 5001,
      error_class: "InvalidTransitionError",
      message: '"job.completed" is not possible in IDLE.',
      details: { workflowType: "job", state: "IDLE", event: "job.completed" },
      recovery_suggestion: expect.stringContaining("/cancel"),
    });
    expect(json.details.handledEvents).toEqual(expect.arrayContaining(["user.launch", "user.cancel"]));
    expect(json.details.handledEvents).not.toContain("job.completed");
    expect(await backend.store.read(key)).toEqual(before);
  });

  it("rejects any event when there is no workflow, and after the workflow finished", async () => {
    const [manager] = managers();
    await expect(manager.transition(key, { type: "inc" })).rejects.toMatchObject({
      code: 5001,
      details: { state: null, event: "inc" },
    });
    await manager.start(key, "counter", input("w4"));
    await manager.transition(key, { type: "finish" });
    await expect(manager.transition(key, { type: "inc" })).rejects.toMatchObject({
      code: 5001,
      details: { state: "DONE", handledEvents: [] },
    });
  });

  it("50 concurrent events from two processes: every one resolves or is rejected, none lost", async () => {
    const [a, b] = managers();
    await a.start(key, "counter", { ...input("w5"), limit: 40 });
    const sends = Array.from({ length: 50 }, (_, i) =>
      (i % 2 === 0 ? a : b).transition(key, { type: "inc" }),
    );
    const results = await Promise.allSettled(sends);
    const accepted = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r) => r.status === "rejected");
    expect(accepted).toHaveLength(40);
    expect(rejected.every((r) => r.reason instanceof InvalidTransitionError)).toBe(true);
    const versions = accepted.map((r) => r.value.version).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 2)); // each commit its own version
    const record = await backend.store.read(key);
    expect(record?.version).toBe(1 + accepted.length);
    expect((await a.getState(key.userId, key.chatId))?.data.count).toBe(accepted.length);
  });

  it("writes one history entry when a workflow finishes, even when two processes race to finish it", async () => {
    const [a, b] = managers();
    await a.start(key, "counter", input("w6"));
    await a.transition(key, { type: "inc" });
    const results = await Promise.allSettled([a, b, a, b].map((m) => m.transition(key, { type: "finish" })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const history = await backend.store.listHistory(key.userId);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      workflowType: "counter",
      workflowId: "w6",
      state: "DONE",
      startedAt: "2026-11-28T10:00:00.000Z",
      summary: { count: 1 },
    });
    expect(Date.parse(history[0].finishedAt)).toBeGreaterThan(Date.parse(history[0].startedAt));

    await a.start(key, "counter", input("w7"));
    await b.transition(key, { type: "user.cancel" });
    const [latest] = await backend.store.listHistory(key.userId);
    expect(latest).toMatchObject({ workflowId: "w7", state: "CANCELLED", summary: {} });
    expect(await backend.store.listActive()).toEqual([]);
  });

  it("tells commit listeners in commit order; a failing listener is reported and the commit stands", async () => {
    const [manager] = managers();
    const seen: string[] = [];
    const failures: unknown[] = [];
    const reporting = new StateManager(backend.store, [counterDefinition], (error) => failures.push(error));
    reporting.onCommit((commit) => {
      seen.push(`${commit.version}:${commit.event?.type ?? "start"}`);
    });
    reporting.onCommit(() => {
      throw new Error("renderer down");
    });
    await reporting.start(key, "counter", input("w8"));
    await Promise.all([1, 2, 3].map(() => reporting.transition(key, { type: "inc" })));
    expect(seen).toEqual(["1:start", "2:inc", "3:inc", "4:inc"]);
    expect(failures).toHaveLength(4);
    expect((await manager.getState(key.userId, key.chatId))?.data.count).toBe(3);
  });
});

describe("validateTransition", () => {
  const manager = new StateManager({ close: async () => undefined } as never, [
    jobDefinition(new FakeJobBoard().ports("test")),
    counterDefinition,
  ]);

  it.each([
    ["IDLE", "LAUNCHING", true], // a user event
    ["LAUNCHING", "MONITORING", true], // the launch actor finishing
    ["LAUNCHING", "IDLE", true], // back
    ["MONITORING", "COMPLETED", true],
    ["MONITORING", "CANCELLING", true],
    ["IDLE", "CANCELLED", true], // the root-level cancel
    ["IDLE", "COMPLETED", false],
    ["MONITORING", "IDLE", false],
    ["COMPLETED", "CANCELLED", false], // final: nothing leaves it
    ["IDLE", "NO_SUCH_STATE", false],
    ["NO_SUCH_STATE", "IDLE", false],
  ])("job: %s → %s is %s", (from, to, expected) => {
    expect(manager.validateTransition(from, to, "job")).toBe(expected);
  });

  it("without a workflow type, asks every machine", () => {
    expect(manager.validateTransition("COUNTING", "DONE")).toBe(true);
    expect(manager.validateTransition("COUNTING", "DONE", "job")).toBe(false);
    expect(manager.validateTransition("IDLE", "LAUNCHING")).toBe(true);
  });
});
