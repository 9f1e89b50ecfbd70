/**
 * The prediction machine without Telegram: forward path with its skips, compatibility, column naming,
 * rejected events, BACK and CANCEL, templates, and a persist/restore round trip.
 */
import { describe, expect, it } from "vitest";
import { createActor, fromPromise, waitFor } from "xstate";
import type {
  ComputeOffer,
  DatasetSummary,
  ModelChoice,
  StoredDatasetChoice,
  TemplateChoice,
} from "../../src/flows/ports.js";
import { migratePrediction, predictionMachine } from "../../src/flows/prediction/machine.js";
import type { DriftSummary, PredictionEvent, PredictionOutcome } from "../../src/flows/prediction/types.js";

const model = (id: string, features: string[], target = "price"): ModelChoice => ({
  modelId: id,
  uri: `file:///data/models/user_1/${id}/`,
  name: `Model ${id}`,
  modelType: "linear",
  task: "regression",
  target,
  features,
  trainedAt: "2026-11-28T00:00:00.000Z",
});

const DATA: DatasetSummary = {
  datasetId: "ds-2",
  uri: "file:///data/datasets/user_1/ds-2.csv",
  fileName: "houses.csv",
  sizeBytes: 100,
  nRows: 20,
  nColumns: 3,
  missingCells: 0,
  columns: [
    { name: "Area", type: "numeric", missingPct: 0, unique: 20 },
    { name: "rooms", type: "integer", missingPct: 0, unique: 5 },
    { name: "price_predicted", type: "numeric", missingPct: 0, unique: 20 },
  ],
  suggestion: { target: null, task: null, features: [], confidence: 0, reason: "" },
};

const LOCAL: ComputeOffer = {
  provider: "local",
  computeType: "local",
  label: "This machine",
  spot: false,
  gpu: false,
  hourlyRate: 0,
  estimatedMinutes: 0.1,
  estimatedCost: 0,
  priceSource: "free",
};
const LAMBDA: ComputeOffer = {
  ...LOCAL,
  provider: "aws",
  computeType: "lambda",
  label: "AWS Lambda",
  estimatedCost: 0.002,
};

interface Options {
  drift?: () => Promise<DriftSummary | null>;
  models?: ModelChoice[];
  offers?: ComputeOffer[];
  templates?: TemplateChoice[];
  modelId?: string;
  budget?: { perJob: number; monthlyLeft: number };
}

function makeActor(options: Options = {}) {
  const calls: string[] = [];
  const machine = predictionMachine.provide({
    actors: {
      loadSources: fromPromise(async () => ({
        models: options.models ?? [model("a", ["area", "rooms"]), model("b", ["area", "garden"])],
        datasets: [] as StoredDatasetChoice[],
        templates: options.templates ?? [],
      })),
      ingestDataset: fromPromise(async () => DATA),
      quotePrediction: fromPromise(async () => ({
        offers: options.offers ?? [LOCAL],
        budget: options.budget ?? { perJob: 1, monthlyLeft: 5 },
      })),
      checkDrift: fromPromise(async ({ input }) => {
        calls.push(`drift ${input.modelUri} ${input.dataUri}`);
        return (await options.drift?.()) ?? null;
      }),
      runPrediction: fromPromise(async ({ input }) => {
        calls.push(`run ${input.jobId} ${input.provider} ${input.modelUri} ${input.predictionColumn}`);
        const out: PredictionOutcome = {
          success: true,
          outputUri: "file:///out.csv",
          numPredictions: 20,
          executionTime: 0.1,
          cost: 0,
          localPath: "/tmp/out.csv",
          fileName: "out.csv",
          preview: { columns: [], rows: [] },
        };
        return out;
      }),
      saveTemplate: fromPromise(async ({ input }) => {
        calls.push(`template ${input.name} ${input.config.modelId} ${input.config.predictionColumn}`);
      }),
    },
  });
  const actor = createActor(machine, {
    input: { workflowId: "wp", userId: 1, chatId: 1, startedAt: "", modelId: options.modelId },
  }).start();
  return { actor, calls };
}

type Actor = ReturnType<typeof makeActor>["actor"];
const at = (actor: Actor, value: unknown) =>
  waitFor(actor, (s) => s.matches(value as never), { timeout: 2000 });
const path = (actor: Actor) => JSON.stringify(actor.getSnapshot().value);
const upload: PredictionEvent = {
  type: "user.fileReceived",
  stagingPath: "/tmp/h.csv",
  fileName: "houses.csv",
  sizeBytes: 1,
};

async function toSchema(options: Options = {}) {
  const made = makeActor(options);
  await at(made.actor, { CHOOSING_DATA_SOURCE: "ready" });
  made.actor.send(upload);
  await at(made.actor, "CONFIRMING_SCHEMA");
  return made;
}

describe("prediction machine", () => {
  it("finds which models fit the data, ignoring case, and names what the others lack", async () => {
    const { actor } = await toSchema();
    const c = actor.getSnapshot().context;
    expect(c.compatible).toEqual(["a"]);
    expect(c.missingByModel).toEqual({ b: ["garden"] });
  });

  it("selects the only model that fits, avoids a column name the data has, and runs", async () => {
    const { actor, calls } = await toSchema();
    actor.send({ type: "user.acceptSchema" });
    expect(path(actor)).toBe('"CONFIRMING_PREDICTION_COLUMN"');
    expect(actor.getSnapshot().context.model?.modelId).toBe("a");
    actor.send({ type: "user.useDefaultColumn" });
    await at(actor, { READY_TO_RUN: "idle" });
    expect(actor.getSnapshot().context.predictionColumn).toBe("price_predicted_2");
    actor.send({ type: "user.run" });
    await at(actor, "COMPLETE");
    expect(calls).toEqual([
      "drift file:///data/models/user_1/a/ file:///data/datasets/user_1/ds-2.csv",
      "run wp-p1 local file:///data/models/user_1/a/ price_predicted_2",
    ]);
    expect(actor.getSnapshot().context.summary).toMatchObject({ status: "complete", rows: 20 });
  });

  it("asks which model when several fit, and refuses one that does not", async () => {
    const { actor } = await toSchema({
      models: [model("a", ["area"]), model("c", ["rooms"]), model("b", ["garden"])],
    });
    actor.send({ type: "user.acceptSchema" });
    expect(path(actor)).toBe('"SELECTING_MODEL"');
    expect(actor.getSnapshot().can({ type: "user.pickModel", modelId: "b" })).toBe(false);
    actor.send({ type: "user.pickModel", modelId: "c" });
    expect(path(actor)).toBe('"CONFIRMING_PREDICTION_COLUMN"');
  });

  it("validates a typed column name", async () => {
    const { actor } = await toSchema();
    actor.send({ type: "user.acceptSchema" });
    actor.send({ type: "user.typedText", text: "rooms" });
    expect(actor.getSnapshot().context.notice?.key).toBe("columnExists");
    actor.send({ type: "user.typedText", text: "<bad>" });
    expect(actor.getSnapshot().context.notice?.key).toBe("badColumnName");
    actor.send({ type: "user.typedText", text: "estimate" });
    await at(actor, { READY_TO_RUN: "idle" });
    expect(actor.getSnapshot().context.predictionColumn).toBe("estimate");
  });

  it("with no model that fits, stays on the schema with a notice", async () => {
    const { actor } = await toSchema({ models: [model("b", ["garden"])] });
    actor.send({ type: "user.acceptSchema" });
    expect(path(actor)).toBe('"CONFIRMING_SCHEMA"');
    expect(actor.getSnapshot().context.notice?.key).toBe("noCompatibleModel");
  });

  it("fails with a clear error when the user has no models at all", async () => {
    const { actor } = makeActor({ models: [] });
    await at(actor, "FAILED");
    expect(actor.getSnapshot().context.error?.recovery).toMatch(/\/train/);
  });

  it("asks where to run when a cloud option exists, and keeps to the budget", async () => {
    const { actor, calls } = await toSchema({
      offers: [LOCAL, LAMBDA],
      budget: { perJob: 0.001, monthlyLeft: 5 },
    });
    actor.send({ type: "user.acceptSchema" });
    actor.send({ type: "user.useDefaultColumn" });
    await at(actor, { CHOOSING_PREDICTION_LOCATION: "ready" });
    actor.send({ type: "user.pickOffer", index: 1 });
    actor.send({ type: "user.run" });
    // The notice names the cap that was broken and what is left of it.
    expect(actor.getSnapshot().context.notice).toEqual({ key: "overJobCap", params: { left: 0.001 } });
    expect(calls).toEqual([]);
    actor.send({ type: "user.back" });
    await at(actor, { CHOOSING_PREDICTION_LOCATION: "ready" });
    expect(actor.getSnapshot().context.offer).toBeUndefined();
    actor.send({ type: "user.pickOffer", index: 0 });
    actor.send({ type: "user.run" });
    await at(actor, "COMPLETE");
  });

  it("goes back step by step to the data source, clearing later choices", async () => {
    const { actor } = await toSchema({ models: [model("a", ["area"]), model("c", ["rooms"])] });
    actor.send({ type: "user.acceptSchema" });
    actor.send({ type: "user.pickModel", modelId: "a" });
    actor.send({ type: "user.useDefaultColumn" });
    await at(actor, { READY_TO_RUN: "idle" });
    actor.send({ type: "user.back" });
    expect(path(actor)).toBe('"CONFIRMING_PREDICTION_COLUMN"');
    expect(actor.getSnapshot().context.predictionColumn).toBeUndefined();
    actor.send({ type: "user.back" });
    expect(path(actor)).toBe('"SELECTING_MODEL"');
    expect(actor.getSnapshot().context.model).toBeUndefined();
    actor.send({ type: "user.back" });
    expect(path(actor)).toBe('"CONFIRMING_SCHEMA"');
    actor.send({ type: "user.back" });
    await at(actor, { CHOOSING_DATA_SOURCE: "ready" });
    expect(actor.getSnapshot().context.dataset).toBeUndefined();
  });

  it("cancels from every waiting step", async () => {
    for (const steps of [0, 1, 2, 3]) {
      const { actor } = await toSchema({ models: [model("a", ["area"]), model("c", ["rooms"])] });
      const events: PredictionEvent[] = [
        { type: "user.acceptSchema" },
        { type: "user.pickModel", modelId: "a" },
        { type: "user.useDefaultColumn" },
      ];
      for (const e of events.slice(0, steps)) actor.send(e);
      if (steps === 3) await at(actor, { READY_TO_RUN: "idle" });
      actor.send({ type: "user.cancel" });
      expect(path(actor)).toBe('"CANCELLED"');
    }
  });

  it("starts from a preselected model and from a template", async () => {
    const pre = await toSchema({ modelId: "a" });
    pre.actor.send({ type: "user.acceptSchema" });
    expect(path(pre.actor)).toBe('"CONFIRMING_PREDICTION_COLUMN"');

    const template: TemplateChoice = {
      name: "daily",
      kind: "prediction",
      config: { modelId: "a", predictionColumn: "forecast" },
      createdAt: "",
    };
    const { actor, calls } = makeActor({ templates: [template] });
    await at(actor, { CHOOSING_DATA_SOURCE: "ready" });
    actor.send({ type: "user.browseTemplates" });
    actor.send({ type: "user.useTemplate", name: "daily" });
    actor.send(upload);
    await at(actor, "CONFIRMING_SCHEMA");
    actor.send({ type: "user.acceptSchema" });
    await at(actor, { READY_TO_RUN: "idle" });
    expect(actor.getSnapshot().context.predictionColumn).toBe("forecast");
    actor.send({ type: "user.saveTemplate" });
    actor.send({ type: "user.typedText", text: "daily 2" });
    await at(actor, { READY_TO_RUN: "idle" });
    expect(calls).toEqual(["template daily 2 a forecast"]);
  });

  it("warns about drift before running: Predict anyway runs, Back returns, Cancel ends", async () => {
    const drift: DriftSummary = {
      rows: 20,
      checked: 2,
      more: 0,
      drifting: [
        {
          feature: "area",
          kind: "numeric",
          psi: 2.1,
          outside: { share: 0.9, min: 1, max: 5 },
          missing: { training: 0, now: 0 },
          reasons: ["psi", "range"],
        },
      ],
    };
    const { actor, calls } = await toSchema({ drift: async () => drift });
    actor.send({ type: "user.acceptSchema" });
    actor.send({ type: "user.useDefaultColumn" });
    await at(actor, { READY_TO_RUN: "idle" });
    actor.send({ type: "user.run" });
    await at(actor, "DRIFT_WARNING");
    expect(actor.getSnapshot().context.drift).toEqual(drift);
    expect(calls.filter((c) => c.startsWith("run"))).toEqual([]);
    actor.send({ type: "user.back" });
    await at(actor, { READY_TO_RUN: "idle" });
    expect(actor.getSnapshot().context.drift).toBeUndefined();
    actor.send({ type: "user.run" });
    await at(actor, "DRIFT_WARNING");
    actor.send({ type: "user.predictAnyway" });
    await at(actor, "COMPLETE");
    expect(calls.filter((c) => c.startsWith("run"))).toEqual([
      "run wp-p1 local file:///data/models/user_1/a/ price_predicted_2",
    ]);

    const other = await toSchema({ drift: async () => drift });
    other.actor.send({ type: "user.acceptSchema" });
    other.actor.send({ type: "user.useDefaultColumn" });
    await at(other.actor, { READY_TO_RUN: "idle" });
    other.actor.send({ type: "user.run" });
    await at(other.actor, "DRIFT_WARNING");
    other.actor.send({ type: "user.cancel" });
    expect(path(other.actor)).toBe('"CANCELLED"');
  });

  it("runs at once when the drift check cannot run", async () => {
    const { actor, calls } = await toSchema({
      drift: async () => {
        throw new Error("unreadable profile");
      },
    });
    actor.send({ type: "user.acceptSchema" });
    actor.send({ type: "user.useDefaultColumn" });
    await at(actor, { READY_TO_RUN: "idle" });
    actor.send({ type: "user.run" });
    await at(actor, "COMPLETE");
    expect(calls.at(-1)).toMatch(/^run wp-p1/);
  });

  it("carries version-2 snapshots over unchanged and refuses older ones", async () => {
    const { actor } = await toSchema();
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    expect(migratePrediction(2, persisted)).toBe(persisted);
    expect(migratePrediction(1, persisted)).toBeUndefined();
    const restored = createActor(predictionMachine, {
      snapshot: migratePrediction(2, persisted) as never,
      input: { workflowId: "", userId: 0, chatId: 0, startedAt: "" },
    }).start();
    expect(restored.getSnapshot().matches("CONFIRMING_SCHEMA")).toBe(true);
  });

  it("restores from JSON and goes on", async () => {
    const { actor } = await toSchema();
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();
    const restored = createActor(predictionMachine, {
      snapshot: persisted,
      input: { workflowId: "", userId: 0, chatId: 0, startedAt: "" },
    }).start();
    expect(restored.getSnapshot().matches("CONFIRMING_SCHEMA")).toBe(true);
    restored.send({ type: "user.acceptSchema" });
    expect(restored.getSnapshot().matches("CONFIRMING_PREDICTION_COLUMN")).toBe(true);
  });
});
