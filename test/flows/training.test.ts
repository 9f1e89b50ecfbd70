/**
 * The training machine without Telegram: every forward transition, the rejected ones, BACK from every step
 * that has it, CANCEL from every non-final state, and a persist → JSON → restore round trip.
 */
import { describe, expect, it } from "vitest";
import { createActor, fromCallback, fromPromise, waitFor } from "xstate";
import type { TrainingJob, TrainingStatus } from "../../src/cloud/provider-interface.js";
import type {
  ComputeOffer,
  DatasetSummary,
  StoredDatasetChoice,
  TemplateChoice,
} from "../../src/flows/ports.js";
import type { DatasetSource } from "../../src/flows/shared/datasets.js";
import { migrateTrainingSnapshot, trainingMachine } from "../../src/flows/training/machine.js";
import type { TrainingEvent } from "../../src/flows/training/types.js";
import { IRIS_SUMMARY as DATASET, LOCAL_OFFER as LOCAL } from "./fixtures.js";

const CLOUD: ComputeOffer = {
  ...LOCAL,
  provider: "aws",
  computeType: "m5.large",
  label: "AWS m5.large",
  hourlyRate: 0.1,
  estimatedCost: 0.5,
};

interface Options {
  offers?: ComputeOffer[];
  /** The provider never confirms the termination (the test sends terminate.* itself). */
  holdTermination?: boolean;
  budget?: { perJob: number; monthlyLeft: number };
  ingest?: (input: DatasetSource) => Promise<DatasetSummary>;
  templates?: Array<{ name: string; kind: "training"; config: Record<string, unknown>; createdAt: string }>;
}

function makeActor(options: Options = {}) {
  const calls: string[] = [];
  /** The offers each launch was given: the chosen one first, then its fallbacks. */
  const launches: string[][] = [];
  const machine = trainingMachine.provide({
    actors: {
      loadSources: fromPromise(async () => ({
        datasets: [] as StoredDatasetChoice[],
        templates: (options.templates ?? []) as TemplateChoice[],
      })),
      ingestDataset: fromPromise(async ({ input }) => (options.ingest ? options.ingest(input) : DATASET)),
      quoteTraining: fromPromise(async () => ({
        offers: options.offers ?? [LOCAL],
        budget: options.budget ?? { perJob: 10, monthlyLeft: 50 },
      })),
      launchTraining: fromPromise(async ({ input }) => {
        calls.push(`launch ${input.jobId} ${input.offers[0].computeType}`);
        launches.push(input.offers.map((o) => o.label));
        const job: TrainingJob = {
          jobId: input.jobId,
          status: "running",
          launchTime: "2026-11-28T00:00:00.000Z",
          computeType: input.offers[0].computeType,
          estimatedCost: 0,
          hourlyRate: input.offers[0].hourlyRate,
          deadline: "2026-11-28T01:00:00.000Z",
        };
        return { job, offer: input.offers[0], attempts: [] };
      }),
      monitorTraining: fromCallback(() => {
        calls.push("monitor");
        return () => calls.push("monitor stopped");
      }),
      terminateTraining: fromCallback(({ input, sendBack }) => {
        calls.push(`terminate ${input.jobId}`);
        if (!options.holdTermination) sendBack({ type: "terminate.confirmed", cost: 0.25 });
      }),
      renameModel: fromPromise(async ({ input }) => {
        calls.push(`rename ${input.name}`);
      }),
      saveTemplate: fromPromise(async ({ input }) => {
        calls.push(`template ${input.name}`);
      }),
    },
  });
  const actor = createActor(machine, {
    input: { workflowId: "wf1", userId: 1, chatId: 1, startedAt: "2026-11-28T00:00:00.000Z" },
  }).start();
  return { actor, calls, launches };
}

type Actor = ReturnType<typeof makeActor>["actor"];

const path = (actor: Actor) => JSON.stringify(actor.getSnapshot().value);
const at = (actor: Actor, value: unknown) =>
  waitFor(actor, (s) => s.matches(value as never), { timeout: 2000 });

/** Drives a fresh actor to `target` along the happy path. */
async function reach(target: string, options: Options = {}) {
  const made = makeActor(options);
  const { actor } = made;
  await at(actor, { CHOOSING_DATA_SOURCE: "ready" });
  if (target === "CHOOSING_DATA_SOURCE") return made;
  actor.send({ type: "user.fileReceived", stagingPath: "/tmp/x.csv", fileName: "iris.csv", sizeBytes: 10 });
  await at(actor, "CONFIRMING_SCHEMA");
  if (target === "CONFIRMING_SCHEMA") return made;
  if (target === "SELECTING_TARGET" || target === "SELECTING_FEATURES") {
    actor.send({ type: target === "SELECTING_TARGET" ? "user.changeTarget" : "user.chooseFeatures" });
    await at(actor, target);
    return made;
  }
  actor.send({ type: "user.acceptSchema" });
  await at(actor, "SELECTING_MODEL_CATEGORY");
  if (target === "SELECTING_MODEL_CATEGORY") return made;
  actor.send({ type: "user.pickCategory", category: "trees" });
  await at(actor, "CONFIRMING_MODEL");
  if (target === "CONFIRMING_MODEL") return made;
  actor.send({ type: "user.pickModel", modelType: "decision_tree" });
  await at(actor, "COLLECTING_HYPERPARAMETERS");
  if (target === "COLLECTING_HYPERPARAMETERS") return made;
  actor.send({ type: "user.paramsDone" });
  await waitFor(
    actor,
    (s) => s.matches("MONITORING_TRAINING") || s.matches({ CHOOSING_TRAINING_LOCATION: "ready" }),
  );
  if (actor.getSnapshot().matches({ CHOOSING_TRAINING_LOCATION: "ready" })) {
    if (target === "CHOOSING_TRAINING_LOCATION") return made;
    actor.send({ type: "user.pickOffer", index: target === "CONFIRMING_INSTANCE_TYPE" ? 1 : 0 });
    await at(actor, "CONFIRMING_INSTANCE_TYPE");
    if (target === "CONFIRMING_INSTANCE_TYPE") return made;
    actor.send({ type: "user.launch" });
  }
  await at(actor, "MONITORING_TRAINING");
  if (target === "MONITORING_TRAINING") return made;
  actor.send({ type: "job.completed", status: completed() });
  await at(actor, { TRAINING_COMPLETE: "idle" });
  return made;
}

function completed(): TrainingStatus {
  return {
    jobId: "wf1-t1",
    status: "complete",
    runtimeSeconds: 2,
    progress: 100,
    logs: [],
    costSoFar: 0,
    outputUri: "file:///data/models/user_1/m-wf1-t1/",
    summary: { name: "Decision tree - Nov 28 2026", metrics: { accuracy: 0.95 } },
  };
}

const CLOUD_OPTIONS: Options = { offers: [LOCAL, CLOUD] };

describe("training machine: reading a file", () => {
  const sandboxGaveUp = {
    code: 6006,
    errorClass: "IngestLimitError",
    message: "Reading this file stopped before it finished: it needed more than the 1024 MB …",
    recovery: "Send a smaller file.",
  };
  const upload = {
    type: "user.fileReceived",
    stagingPath: "/tmp/x.csv",
    fileName: "x.csv",
    sizeBytes: 10,
  } as const;

  it("tries a sandbox that gave up once more, under a new job id, then shows the error", async () => {
    const tries: string[] = [];
    const { actor } = makeActor({
      ingest: async (input) => {
        tries.push(`${input.jobId} #${input.attempt}`);
        throw sandboxGaveUp;
      },
    });
    await at(actor, { CHOOSING_DATA_SOURCE: "ready" });
    actor.send(upload);
    await at(actor, { AWAITING_DATA: "idle" });
    expect(tries).toEqual(["wf1-i1 #1", "wf1-i2 #2"]);
    expect(actor.getSnapshot().context.error).toEqual(sandboxGaveUp);
    // The next file starts again at its first attempt, under the next id.
    actor.send(upload);
    await at(actor, { AWAITING_DATA: "idle" });
    expect(tries.slice(2)).toEqual(["wf1-i3 #1", "wf1-i4 #2"]);
  });

  it("does not retry a file the reader refused", async () => {
    let tries = 0;
    const { actor } = makeActor({
      ingest: async () => {
        tries++;
        throw { ...sandboxGaveUp, code: 6004, errorClass: "DataLimitError", message: "1001 columns" };
      },
    });
    await at(actor, { CHOOSING_DATA_SOURCE: "ready" });
    actor.send(upload);
    await at(actor, { AWAITING_DATA: "idle" });
    expect(tries).toBe(1);
  });
});

describe("training machine: forward", () => {
  it("walks the whole happy path on this machine, skipping the location choice", async () => {
    const { actor, calls } = await reach("TRAINING_COMPLETE");
    const c = actor.getSnapshot().context;
    expect(c.target).toBe("species");
    expect(c.task).toBe("classification");
    expect(c.features).toEqual(["sepal_length", "sepal_width", "petal_length"]);
    expect(c.modelType).toBe("decision_tree");
    expect(c.job?.jobId).toBe("wf1-t1");
    expect(c.result?.modelId).toBe("m-wf1-t1");
    // The job's compute is terminated, and confirmed, before the result is shown; its cost is the final one.
    expect(calls).toEqual(["launch wf1-t1 local", "monitor", "monitor stopped", "terminate wf1-t1"]);
    expect(c.result?.cost).toBe(0.25);
    // /history keeps the quote beside the actual cost.
    expect(c.summary).toMatchObject({ status: "complete", cost: 0.25, quotedMinutes: 1, quotedCost: 0 });
    actor.send({ type: "user.nameModel" });
    expect(path(actor)).toBe('{"NAMING_MODEL":"typing"}');
    actor.send({ type: "user.typedText", text: "x" });
    expect(actor.getSnapshot().context.notice?.key).toBe("badModelName");
    actor.send({ type: "user.typedText", text: "Iris tree" });
    await at(actor, "COMPLETE");
    expect(calls).toContain("rename Iris tree");
    expect(actor.getSnapshot().status).toBe("done");
  });

  it("skips the hyperparameters of a model that has none", async () => {
    const { actor } = await reach("CONFIRMING_MODEL");
    actor.send({ type: "user.back" });
    actor.send({ type: "user.pickCategory", category: "linear" });
    actor.send({ type: "user.pickModel", modelType: "logistic" });
    // logistic has parameters: it stops on them
    expect(path(actor)).toBe('{"COLLECTING_HYPERPARAMETERS":"choosing"}');
  });

  it("asks where to run when a cloud offer exists, and launches only within budget", async () => {
    const { actor, calls } = await reach("CONFIRMING_INSTANCE_TYPE", {
      ...CLOUD_OPTIONS,
      budget: { perJob: 0.2, monthlyLeft: 50 },
    });
    actor.send({ type: "user.launch" });
    expect(path(actor)).toBe('"CONFIRMING_INSTANCE_TYPE"');
    // The notice names the cap that was broken and what is left of it.
    expect(actor.getSnapshot().context.notice).toEqual({ key: "overJobCap", params: { left: 0.2 } });
    expect(calls.filter((c) => c.startsWith("launch"))).toEqual([]);
    actor.send({ type: "user.back" });
    await at(actor, { CHOOSING_TRAINING_LOCATION: "ready" });
    actor.send({ type: "user.pickOffer", index: 0 });
    actor.send({ type: "user.launch" });
    await at(actor, "MONITORING_TRAINING");
    expect(calls[0]).toBe("launch wf1-t1 local");
  });

  it("validates hyperparameters against the registry, from buttons and typed text", async () => {
    const { actor } = await reach("COLLECTING_HYPERPARAMETERS");
    actor.send({ type: "user.setParam", name: "maxDepth", value: 0 });
    expect(actor.getSnapshot().context.notice?.key).toBe("badParam");
    expect(actor.getSnapshot().context.hyperparameters).toEqual({});
    actor.send({ type: "user.editParam", name: "minSamplesLeaf" });
    actor.send({ type: "user.typedText", text: "five" });
    expect(path(actor)).toBe('{"COLLECTING_HYPERPARAMETERS":"typing"}');
    actor.send({ type: "user.typedText", text: "5" });
    expect(path(actor)).toBe('{"COLLECTING_HYPERPARAMETERS":"choosing"}');
    expect(actor.getSnapshot().context.hyperparameters).toEqual({ minSamplesLeaf: 5 });
    actor.send({ type: "user.editParam", name: "noSuchParam" });
    expect(path(actor)).toBe('{"COLLECTING_HYPERPARAMETERS":"choosing"}');
  });

  it("refuses an identifier as the target, accepts a numeric one and switches the task", async () => {
    const { actor } = await reach("SELECTING_TARGET");
    actor.send({ type: "user.pickTarget", column: "id" });
    expect(path(actor)).toBe('"SELECTING_TARGET"');
    expect(actor.getSnapshot().context.notice?.key).toBe("notATarget");
    actor.send({ type: "user.typedText", text: "1" });
    expect(path(actor)).toBe('"CONFIRMING_SCHEMA"');
    const c = actor.getSnapshot().context;
    expect(c.target).toBe("sepal_length");
    expect(c.task).toBe("regression");
    expect(c.features).not.toContain("sepal_length");
  });

  it("puts the old target back among the features when the target changes, unless it cannot be one", async () => {
    const { actor } = await reach("SELECTING_TARGET");
    actor.send({ type: "user.pickTarget", column: "petal_length" });
    const c = actor.getSnapshot().context;
    expect(c.target).toBe("petal_length");
    expect(c.features).toEqual(["sepal_length", "sepal_width", "species"]);
    actor.send({ type: "user.changeTarget" });
    actor.send({ type: "user.pickTarget", column: "species" });
    expect(actor.getSnapshot().context.features).toEqual(["sepal_length", "sepal_width", "petal_length"]);

    // A mostly empty column may be picked as the target, but it does not come back as a feature.
    const sparse: DatasetSummary = {
      ...DATASET,
      suggestion: {
        ...DATASET.suggestion,
        excluded: [{ column: "sepal_width", reason: "mostlyEmpty", distinct: 5, rows: 9 }],
      },
    };
    const other = (await reach("SELECTING_TARGET", { ingest: async () => sparse })).actor;
    other.send({ type: "user.pickTarget", column: "sepal_width" });
    other.send({ type: "user.changeTarget" });
    other.send({ type: "user.pickTarget", column: "petal_length" });
    expect(other.getSnapshot().context.features).toEqual(["sepal_length", "species"]);
  });

  it("edits features by toggles and typed ranges, and never lets them be empty", async () => {
    const { actor } = await reach("SELECTING_FEATURES");
    actor.send({ type: "user.setFeatures", columns: [] });
    actor.send({ type: "user.featuresDone" });
    expect(path(actor)).toBe('"SELECTING_FEATURES"');
    expect(actor.getSnapshot().context.notice?.key).toBe("noFeatures");
    actor.send({ type: "user.typedText", text: "1-2, petal_length, species" });
    expect(actor.getSnapshot().context.features).toEqual(["sepal_length", "sepal_width", "petal_length"]);
    actor.send({ type: "user.toggleFeature", column: "sepal_width" });
    expect(actor.getSnapshot().context.features).toEqual(["sepal_length", "petal_length"]);
    actor.send({ type: "user.toggleFeature", column: "species" });
    expect(actor.getSnapshot().context.notice?.key).toBe("targetIsNotAFeature");
    actor.send({ type: "user.featuresDone" });
    expect(path(actor)).toBe('"CONFIRMING_SCHEMA"');
  });

  it("keeps the user on the data step with an error when a file cannot be read", async () => {
    const failing = () =>
      Promise.reject({ code: 6001, errorClass: "UnreadableFileError", message: "binary", recovery: "csv" });
    const { actor } = makeActor({ ingest: failing });
    await at(actor, { CHOOSING_DATA_SOURCE: "ready" });
    actor.send({ type: "user.fileReceived", stagingPath: "/tmp/x.png", fileName: "x.csv", sizeBytes: 10 });
    await at(actor, { AWAITING_DATA: "idle" });
    expect(actor.getSnapshot().context.error?.code).toBe(6001);
  });

  it("starts from a template: the settings are reused and the model choice is skipped", async () => {
    const config = {
      target: "species",
      task: "classification",
      features: ["sepal_length"],
      modelType: "logistic",
      hyperparameters: { C: 10 },
    };
    const { actor } = makeActor({ templates: [{ name: "t1", kind: "training", config, createdAt: "x" }] });
    await at(actor, { CHOOSING_DATA_SOURCE: "ready" });
    actor.send({ type: "user.browseTemplates" });
    actor.send({ type: "user.useTemplate", name: "t1" });
    expect(path(actor)).toBe('{"AWAITING_DATA":"idle"}');
    actor.send({ type: "user.fileReceived", stagingPath: "/tmp/x.csv", fileName: "iris.csv", sizeBytes: 10 });
    await at(actor, "CONFIRMING_SCHEMA");
    expect(actor.getSnapshot().context.features).toEqual(["sepal_length"]);
    actor.send({ type: "user.acceptSchema" });
    await at(actor, "MONITORING_TRAINING");
    expect(actor.getSnapshot().context.hyperparameters).toEqual({ C: 10 });
  });
});

/** Every user event, for "is it rejected here?" checks. */
const USER_EVENTS: TrainingEvent[] = [
  { type: "user.fileReceived", stagingPath: "/tmp/x.csv", fileName: "x.csv", sizeBytes: 1 },
  { type: "user.acceptSchema" },
  { type: "user.changeTarget" },
  { type: "user.chooseFeatures" },
  { type: "user.pickTarget", column: "species" },
  { type: "user.featuresDone" },
  { type: "user.pickCategory", category: "trees" },
  { type: "user.pickModel", modelType: "decision_tree" },
  { type: "user.paramsDone" },
  { type: "user.pickOffer", index: 0 },
  { type: "user.launch" },
  { type: "user.nameModel" },
  { type: "user.done" },
];

/** What each state accepts, by event type (everything else in USER_EVENTS must be rejected). */
const ACCEPTED: Record<string, string[]> = {
  CHOOSING_DATA_SOURCE: ["user.fileReceived"],
  CONFIRMING_SCHEMA: ["user.acceptSchema", "user.changeTarget", "user.chooseFeatures"],
  SELECTING_TARGET: ["user.pickTarget"],
  SELECTING_FEATURES: ["user.featuresDone"],
  SELECTING_MODEL_CATEGORY: ["user.pickCategory"],
  CONFIRMING_MODEL: ["user.pickModel"],
  COLLECTING_HYPERPARAMETERS: ["user.paramsDone"],
  CHOOSING_TRAINING_LOCATION: ["user.pickOffer"],
  CONFIRMING_INSTANCE_TYPE: ["user.launch"],
  MONITORING_TRAINING: [],
  TRAINING_COMPLETE: ["user.nameModel", "user.done"],
};

describe("training machine: rejected transitions", () => {
  for (const [state, accepted] of Object.entries(ACCEPTED)) {
    it(`${state} accepts only ${accepted.join(", ") || "job events and cancel"}`, async () => {
      const { actor } = await reach(state, CLOUD_OPTIONS);
      const snapshot = actor.getSnapshot();
      for (const event of USER_EVENTS) {
        expect(snapshot.can(event), `${state} ${event.type}`).toBe(accepted.includes(event.type));
      }
      expect(snapshot.can({ type: "user.cancel" })).toBe(true);
    });
  }
});

/** Where BACK goes from each state that has it. */
const BACK: Record<string, unknown> = {
  CONFIRMING_SCHEMA: { CHOOSING_DATA_SOURCE: "ready" },
  SELECTING_TARGET: "CONFIRMING_SCHEMA",
  SELECTING_FEATURES: "CONFIRMING_SCHEMA",
  SELECTING_MODEL_CATEGORY: "CONFIRMING_SCHEMA",
  CONFIRMING_MODEL: "SELECTING_MODEL_CATEGORY",
  COLLECTING_HYPERPARAMETERS: "CONFIRMING_MODEL",
  CHOOSING_TRAINING_LOCATION: { COLLECTING_HYPERPARAMETERS: "choosing" },
  CONFIRMING_INSTANCE_TYPE: { CHOOSING_TRAINING_LOCATION: "ready" },
};

describe("training machine: BACK", () => {
  for (const [state, previous] of Object.entries(BACK)) {
    it(`goes back from ${state}`, async () => {
      const { actor } = await reach(state, CLOUD_OPTIONS);
      actor.send({ type: "user.back" });
      await at(actor, previous);
    });
  }

  it("clears exactly what later steps chose", async () => {
    const { actor } = await reach("CONFIRMING_INSTANCE_TYPE", CLOUD_OPTIONS);
    actor.send({ type: "user.back" });
    await at(actor, { CHOOSING_TRAINING_LOCATION: "ready" });
    expect(actor.getSnapshot().context.offer).toBeUndefined();
    actor.send({ type: "user.back" });
    await at(actor, { COLLECTING_HYPERPARAMETERS: "choosing" });
    expect(actor.getSnapshot().context.modelType).toBe("decision_tree");
    actor.send({ type: "user.back" });
    await at(actor, "CONFIRMING_MODEL");
    expect(actor.getSnapshot().context.modelType).toBeUndefined();
    expect(actor.getSnapshot().context.category).toBe("trees");
    actor.send({ type: "user.back" });
    await at(actor, "SELECTING_MODEL_CATEGORY");
    expect(actor.getSnapshot().context.category).toBeUndefined();
    expect(actor.getSnapshot().context.target).toBe("species");
    expect(actor.getSnapshot().context.history).toEqual(["CHOOSING_DATA_SOURCE", "CONFIRMING_SCHEMA"]);
  });

  it("is not possible while a job runs", async () => {
    const { actor } = await reach("MONITORING_TRAINING");
    expect(actor.getSnapshot().can({ type: "user.back" })).toBe(false);
  });
});

describe("training machine: CANCEL", () => {
  for (const state of Object.keys(ACCEPTED).filter(
    (s) => s !== "MONITORING_TRAINING" && s !== "TRAINING_COMPLETE",
  )) {
    it(`cancels from ${state}`, async () => {
      const { actor, calls } = await reach(state, CLOUD_OPTIONS);
      actor.send({ type: "user.cancel" });
      expect(path(actor)).toBe('"CANCELLED"');
      expect(calls.filter((c) => c.startsWith("terminate"))).toEqual([]);
    });
  }

  it("while a job runs, terminates it through the provider before ending in CANCELLED", async () => {
    const { actor, calls } = await reach("MONITORING_TRAINING");
    actor.send({ type: "user.cancel" });
    await at(actor, "CANCELLED");
    expect(calls).toContain("terminate wf1-t1");
    expect(calls).toContain("monitor stopped");
    expect(actor.getSnapshot().context.summary).toMatchObject({ status: "cancelled", cost: 0.25 });
  });

  it("stays TERMINATING while the termination is not confirmed, and says why; a second cancel changes nothing", async () => {
    const { actor } = await reach("MONITORING_TRAINING", { holdTermination: true });
    actor.send({ type: "user.cancel" });
    expect(path(actor)).toBe('"TERMINATING"');
    actor.send({ type: "terminate.retrying", attempt: 1, reason: "RunPod API error (HTTP 502)." });
    actor.send({ type: "terminate.retrying", attempt: 2, reason: "RunPod API error (HTTP 502)." });
    actor.send({ type: "user.cancel" });
    expect(path(actor)).toBe('"TERMINATING"');
    expect(actor.getSnapshot().context.ending).toEqual({
      outcome: "cancelled",
      attempts: 2,
      lastError: "RunPod API error (HTTP 502).",
    });
    actor.send({ type: "terminate.confirmed", cost: 0.5 });
    expect(path(actor)).toBe('"CANCELLED"');
  });

  it("a failed job is terminated too, then ends in FAILED with the machine's log", async () => {
    const { actor, calls } = await reach("MONITORING_TRAINING", { holdTermination: true });
    const error = { code: 3002, errorClass: "InstanceLaunchError", message: "stopped", recovery: "retry" };
    actor.send({ type: "job.failed", error, diagnostics: ["docker: command not found"] });
    expect(path(actor)).toBe('"TERMINATING"');
    expect(calls).toContain("terminate wf1-t1");
    actor.send({ type: "terminate.confirmed", cost: 0.1 });
    expect(path(actor)).toBe('"FAILED"');
    const c = actor.getSnapshot().context;
    expect(c.error).toEqual(error);
    expect(c.job?.diagnostics).toEqual(["docker: command not found"]);
    expect(c.summary).toMatchObject({ status: "failed", cost: 0.1 });
  });

  it("after training, completes instead (the model is kept)", async () => {
    const { actor } = await reach("TRAINING_COMPLETE");
    actor.send({ type: "user.cancel" });
    expect(path(actor)).toBe('"COMPLETE"');
  });
});

describe("training machine: persistence", () => {
  it("restores from JSON in MONITORING_TRAINING and goes on the same way", async () => {
    const { actor } = await reach("MONITORING_TRAINING");
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();
    const { actor: fresh, calls } = makeActor();
    fresh.stop();
    const restored = createActor(
      trainingMachine.provide({
        actors: {
          monitorTraining: fromCallback(() => {
            calls.push("monitor restored");
            return () => undefined;
          }),
          terminateTraining: fromCallback(({ sendBack }) =>
            sendBack({ type: "terminate.confirmed", cost: 0 }),
          ),
        },
      }),
      { snapshot: persisted, input: { workflowId: "ignored", userId: 1, chatId: 1, startedAt: "" } },
    ).start();
    expect(restored.getSnapshot().matches("MONITORING_TRAINING")).toBe(true);
    expect(calls).toEqual(["monitor restored"]);
    restored.send({
      type: "job.progress",
      status: { ...completed(), status: "running", progress: 40, summary: undefined },
    });
    expect(restored.getSnapshot().context.job?.progress).toBe(40);
    restored.send({ type: "job.completed", status: completed() });
    await waitFor(restored, (s) => s.matches({ TRAINING_COMPLETE: "idle" }), { timeout: 2000 });
    expect(restored.getSnapshot().context.workflowId).toBe("wf1");
  });
});

describe("training machine: migration from version 2", () => {
  it("carries every state over except CANCELLING, whose actor is gone (the workflow is closed)", () => {
    const monitoring = { status: "active", value: "MONITORING_TRAINING", context: {}, children: {} };
    expect(migrateTrainingSnapshot(2, monitoring)).toBe(monitoring);
    expect(migrateTrainingSnapshot(2, { ...monitoring, value: "CANCELLING" })).toBeUndefined();
    expect(migrateTrainingSnapshot(1, monitoring)).toBeUndefined();
  });
});

describe("training machine: failover respects the user's choice", () => {
  const SPOT: ComputeOffer = { ...CLOUD, label: "AWS m5.large (spot)", spot: true, estimatedCost: 0.2 };
  const OTHER: ComputeOffer = {
    ...CLOUD,
    computeType: "c5.large",
    label: "AWS c5.large",
    estimatedCost: 0.45,
  };
  const offers = { offers: [LOCAL, CLOUD, SPOT, OTHER] };

  it("an on-demand choice never falls back to spot unless the user allowed it on the confirmation screen", async () => {
    const { actor, launches } = await reach("CONFIRMING_INSTANCE_TYPE", offers);
    expect(actor.getSnapshot().context.offer?.label).toBe("AWS m5.large");
    actor.send({ type: "user.launch" });
    await at(actor, "MONITORING_TRAINING");
    expect(launches).toEqual([["AWS m5.large", "AWS c5.large"]]);
  });

  it("with spot allowed, the spot machine is among the fallbacks; the choice can be taken back", async () => {
    const { actor, launches } = await reach("CONFIRMING_INSTANCE_TYPE", offers);
    actor.send({ type: "user.allowSpot", allow: true });
    expect(actor.getSnapshot().context.allowSpot).toBe(true);
    actor.send({ type: "user.allowSpot", allow: false });
    actor.send({ type: "user.allowSpot", allow: true });
    actor.send({ type: "user.launch" });
    await at(actor, "MONITORING_TRAINING");
    expect(launches).toEqual([["AWS m5.large", "AWS m5.large (spot)", "AWS c5.large"]]);
  });

  it("offers no spot switch when no spot machine could stand in", async () => {
    const { actor } = await reach("CONFIRMING_INSTANCE_TYPE", CLOUD_OPTIONS);
    expect(actor.getSnapshot().can({ type: "user.allowSpot", allow: true })).toBe(false);
  });
});
