/**
 * Snapshot evolution: each machine's shape must match the hash recorded for its version (a changed shape
 * without a version bump fails here), every older recorded version has a migration step, and a snapshot
 * persisted by an older version in the middle of a paid job is carried over by a real Redis-backed runtime,
 * which resumes monitoring and finishes the job.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type AnyStateMachine, fromCallback, setup } from "xstate";
import type { TrainingStatus } from "../../src/cloud/provider-interface.js";
import {
  PREDICTION_MACHINE_VERSION,
  PREDICTION_MIGRATIONS,
  predictionMachine,
} from "../../src/flows/prediction/machine.js";
import { STATS_MACHINE_VERSION, statsMachine } from "../../src/flows/stats/machine.js";
import {
  TRAINING_MACHINE_VERSION,
  TRAINING_MIGRATIONS,
  trainingMachine,
} from "../../src/flows/training/machine.js";
import type { MonitorInput, TerminateInput, TrainingEvent } from "../../src/flows/training/types.js";
import { MACHINE_SHAPES } from "../../src/flows/versions.js";
import type { WorkflowDefinition } from "../../src/state/definitions.js";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import { WorkflowRuntime } from "../../src/state/runtime.js";
import { StateManager } from "../../src/state/state-manager.js";
import { shapeHash } from "../../src/state/transition-graph.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../helpers/redis.js";
import { eventually } from "../state/backends.js";

const MACHINES: Array<[string, AnyStateMachine, number, Record<number, unknown>]> = [
  ["training", trainingMachine, TRAINING_MACHINE_VERSION, TRAINING_MIGRATIONS],
  ["prediction", predictionMachine, PREDICTION_MACHINE_VERSION, PREDICTION_MIGRATIONS],
  ["stats", statsMachine, STATS_MACHINE_VERSION, {}],
];

describe("machine shapes and versions", () => {
  it.each(MACHINES)("%s: the shape is the one recorded for its version", (type, machine, version) => {
    const recorded = MACHINE_SHAPES[type]?.[version];
    const actual = shapeHash(machine);
    expect(
      actual,
      `${type}'s states, transitions or actors changed: bump its version, add a migration step and record ${actual}`,
    ).toBe(recorded);
  });

  it.each(MACHINES)("%s: every older recorded version has a migration step", (type, _m, version, steps) => {
    const older = Object.keys(MACHINE_SHAPES[type])
      .map(Number)
      .filter((v) => v < version);
    for (const v of older) expect(steps[v], `${type} v${v} → v${v + 1}`).toBeTypeOf("function");
  });

  it("the hash sees a renamed state, a moved target, a renamed guard and an added event", () => {
    const make = (target: string, guard: string, extra = false, state = "B") =>
      setup({ guards: { g: () => true, h: () => true } }).createMachine({
        initial: "A",
        states: {
          A: { on: { go: { guard: guard as "g", target }, ...(extra ? { other: { target } } : {}) } },
          [state]: {},
          C: {},
        },
      });
    const base = shapeHash(make("B", "g"));
    expect(shapeHash(make("B", "g"))).toBe(base);
    expect(shapeHash(make("C", "g"))).not.toBe(base);
    expect(shapeHash(make("B", "h"))).not.toBe(base);
    expect(shapeHash(make("B", "g", true))).not.toBe(base);
    expect(shapeHash(make("D", "g", false, "D"))).not.toBe(base);
  });
});

const FIXTURE = new URL("../fixtures/snapshots/training-v3-monitoring.json", import.meta.url);
const key = { userId: 41, chatId: 410 };

/** A runtime over real Redis whose training monitor and terminator are fakes the test drives. */
function host(prefix: string) {
  const monitors: Array<{ input: MonitorInput; sendBack: (e: TrainingEvent) => void }> = [];
  const terminations: TerminateInput[] = [];
  const definition: WorkflowDefinition = {
    type: "training",
    version: TRAINING_MACHINE_VERSION,
    migrations: TRAINING_MIGRATIONS,
    machine: trainingMachine.provide({
      actors: {
        monitorTraining: fromCallback<TrainingEvent, MonitorInput>(({ input, sendBack }) => {
          monitors.push({ input, sendBack });
        }),
        terminateTraining: fromCallback<TrainingEvent, TerminateInput>(({ input, sendBack }) => {
          terminations.push(input);
          sendBack({ type: "terminate.confirmed", cost: 0.4 });
        }),
      },
    }),
  };
  const store = new RedisWorkflowStore(REDIS_TEST_URL, prefix);
  const manager = new StateManager(store, [definition]);
  const runtime = new WorkflowRuntime(manager, { owner: "deploy-2", leaseTtlMs: 600 });
  return { store, manager, runtime, monitors, terminations };
}

/** Stores an envelope as the previous deployment left it: a live workflow in MONITORING_TRAINING. */
async function leave(store: RedisWorkflowStore, envelope: unknown) {
  const written = await store.compareAndSet(key, 0, {
    workflowType: "training",
    state: "MONITORING_TRAINING",
    snapshot: JSON.stringify(envelope),
    active: true,
    live: true,
  });
  expect(written.ok).toBe(true);
}

const completed: TrainingStatus = {
  jobId: "wfmig-t1",
  status: "complete",
  runtimeSeconds: 120,
  progress: 100,
  logs: [],
  costSoFar: 0.35,
  outputUri: "file:///data/models/user_41/m-wfmig-t1/",
  summary: { name: "Random forest", metrics: { accuracy: 0.95 } },
};

describe("a deploy with a version bump, on Redis", () => {
  let prefix = "";
  let current: ReturnType<typeof host> | undefined;
  afterEach(async () => {
    await current?.runtime.stop();
    await current?.store.close();
    await deletePrefix(prefix);
  });

  const fixture = () =>
    JSON.parse(readFileSync(FIXTURE, "utf8")) as { v: number; snapshot: Record<string, unknown> };

  it.each([3, 2])(
    "carries a version-%i snapshot monitoring a paid job over: monitoring resumes and the job finishes",
    async (version) => {
      prefix = testPrefix("evolution");
      current = host(prefix);
      const { store, manager, runtime, monitors, terminations } = current;
      const envelope = fixture();
      expect(envelope.v).toBe(3);
      await leave(store, { ...envelope, v: version });

      await runtime.start();
      await eventually(() => monitors.length === 1, "monitoring resumed");
      // The same job, on the paid machine it was launched on: nothing is launched again, nothing orphaned.
      expect(monitors[0].input).toMatchObject({ jobId: "wfmig-t1", provider: "aws", userId: 41 });
      const state = await manager.getState(key.userId, key.chatId);
      expect(state?.state).toBe("MONITORING_TRAINING");
      expect(state?.data.modelName).toBe("Random forest"); // what the 3 → 4 step adds

      monitors[0].sendBack({ type: "job.completed", status: completed });
      await eventually(
        async () => (await manager.getState(key.userId, key.chatId))?.state === "TRAINING_COMPLETE",
        "the job finished",
      );
      expect(terminations).toEqual([expect.objectContaining({ jobId: "wfmig-t1", provider: "aws" })]);
      const stored = JSON.parse((await store.read(key))!.snapshot) as { v: number };
      expect(stored.v).toBe(TRAINING_MACHINE_VERSION);
    },
  );

  it("closes, rather than starts, a version-2 snapshot caught in the removed CANCELLING state", async () => {
    prefix = testPrefix("evolution");
    current = host(prefix);
    const { store, manager, runtime, monitors } = current;
    const envelope = fixture();
    await leave(store, { ...envelope, v: 2, snapshot: { ...envelope.snapshot, value: "CANCELLING" } });
    const told: string[] = [];
    manager.onClosed((_k, error) => {
      told.push(String(error.details.reason));
    });
    await runtime.start();
    expect(told).toEqual(["outdated"]);
    expect(monitors).toEqual([]);
    expect((await store.read(key))?.state).toBe("CLOSED:outdated");
  });
});
