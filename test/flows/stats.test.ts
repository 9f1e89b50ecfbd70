/**
 * The stats machine without Telegram: data source (upload, stored, preselected), the test menu, columns that
 * fit each role (picked or typed, others refused with a notice), problems sent back to the column step,
 * another test, BACK, CANCEL and a persist/restore round trip.
 */
import { describe, expect, it } from "vitest";
import { createActor, fromPromise, waitFor } from "xstate";
import type { DatasetSummary, StoredDatasetChoice } from "../../src/flows/ports.js";
import { statsMachine } from "../../src/flows/stats/machine.js";
import type { StatsEvent, TestInput, TestOutcome } from "../../src/flows/stats/types.js";
import type { StatsReport } from "../../src/ml/stats/index.js";

const DATA: DatasetSummary = {
  datasetId: "ds-1",
  uri: "file:///data/datasets/user_1/ds-1.csv",
  fileName: "shop.csv",
  sizeBytes: 100,
  nRows: 40,
  nColumns: 5,
  missingCells: 0,
  columns: [
    { name: "spend", type: "numeric", missingPct: 0, unique: 40 },
    { name: "visits", type: "integer", missingPct: 0, unique: 9 },
    { name: "member", type: "boolean", missingPct: 0, unique: 2 },
    { name: "region", type: "categorical", missingPct: 0, unique: 4 },
    { name: "note", type: "text", missingPct: 0, unique: 40 },
  ],
  suggestion: { target: null, task: null, features: [], confidence: 0, reason: "" },
};

const STORED: StoredDatasetChoice = {
  datasetId: "ds-1",
  uri: DATA.uri,
  name: "shop.csv",
  sizeBytes: 100,
  uploadedAt: "",
};

function makeActor(options: { outcome?: (input: TestInput) => TestOutcome; datasetId?: string } = {}) {
  const calls: string[] = [];
  const machine = statsMachine.provide({
    actors: {
      loadSources: fromPromise(async () => ({ datasets: [STORED] })),
      describeDataset: fromPromise(async ({ input }) => {
        calls.push(`describe ${input.datasetUri ?? input.stagingPath}`);
        return {
          dataset: DATA,
          summary: [],
          correlations: { columns: ["spend", "visits"], omitted: 0, strongest: [] },
          heatmapUri: "file:///heat.png",
        };
      }),
      runTest: fromPromise(async ({ input }) => {
        calls.push(`run ${input.jobId} ${input.test} ${input.columns.join("|")}`);
        const report = { test: input.test, columns: input.columns } as StatsReport;
        return options.outcome?.(input) ?? { ok: true, report, chartUri: "file:///chart.png" };
      }),
    },
  });
  const actor = createActor(machine, {
    input: { workflowId: "ws", userId: 1, chatId: 1, startedAt: "", datasetId: options.datasetId },
  }).start();
  return { actor, calls };
}

type Actor = ReturnType<typeof makeActor>["actor"];
const at = (actor: Actor, value: unknown) =>
  waitFor(actor, (s) => s.matches(value as never), { timeout: 2000 });
const upload: StatsEvent = {
  type: "user.fileReceived",
  stagingPath: "/tmp/s.csv",
  fileName: "shop.csv",
  sizeBytes: 1,
};

async function toMenu(options: Parameters<typeof makeActor>[0] = {}) {
  const made = makeActor(options);
  await at(made.actor, { CHOOSING_DATA_SOURCE: "ready" });
  made.actor.send(upload);
  await at(made.actor, "CHOOSING_TEST");
  return made;
}

describe("stats machine", () => {
  it("reads the upload, then runs a test once every role has a fitting column", async () => {
    const { actor, calls } = await toMenu();
    expect(actor.getSnapshot().context.overview?.heatmapUri).toBe("file:///heat.png");
    actor.send({ type: "user.pickTest", test: "welch" });
    expect(actor.getSnapshot().matches("PICKING_COLUMNS")).toBe(true);
    // Welch: a numeric column first, then one with exactly two groups.
    actor.send({ type: "user.pickColumn", column: "region" });
    expect(actor.getSnapshot().context.notice).toEqual({
      key: "notThisColumn",
      params: { column: "region" },
    });
    actor.send({ type: "user.pickColumn", column: "spend" });
    actor.send({ type: "user.pickColumn", column: "region" });
    expect(actor.getSnapshot().context.picked).toEqual(["spend"]);
    actor.send({ type: "user.typedText", text: "3" });
    await at(actor, "SHOWING_RESULT");
    expect(calls).toEqual(["describe /tmp/s.csv", "run ws-s1 welch spend|member"]);
    expect(actor.getSnapshot().context.result?.chartUri).toBe("file:///chart.png");
    actor.send({ type: "user.anotherTest" });
    expect(actor.getSnapshot().matches("CHOOSING_TEST")).toBe(true);
    actor.send({ type: "user.pickTest", test: "shapiro" });
    actor.send({ type: "user.typedText", text: "Visits" });
    await at(actor, "SHOWING_RESULT");
    expect(calls.at(-1)).toBe("run ws-s2 shapiro visits");
    actor.send({ type: "user.done" });
    expect(actor.getSnapshot().value).toBe("COMPLETE");
    expect(actor.getSnapshot().context.summary).toEqual({ status: "complete", file: "shop.csv", tests: 2 });
  });

  it("never offers the same column twice, nor free text for a numeric role", async () => {
    const { actor } = await toMenu();
    actor.send({ type: "user.pickTest", test: "paired" });
    actor.send({ type: "user.pickColumn", column: "spend" });
    actor.send({ type: "user.pickColumn", column: "spend" });
    actor.send({ type: "user.pickColumn", column: "note" });
    expect(actor.getSnapshot().context.picked).toEqual(["spend"]);
    expect(actor.getSnapshot().matches("PICKING_COLUMNS")).toBe(true);
  });

  it("sends a test that cannot run back to the column step, saying why", async () => {
    const { actor } = await toMenu({
      outcome: () => ({
        ok: false,
        problem: { key: "tooFewValues", params: { column: "spend", n: 2, min: 3 } },
      }),
    });
    actor.send({ type: "user.pickTest", test: "regression" });
    actor.send({ type: "user.pickColumn", column: "spend" });
    actor.send({ type: "user.pickColumn", column: "visits" });
    await at(actor, "PICKING_COLUMNS");
    const c = actor.getSnapshot().context;
    expect(c.picked).toEqual([]);
    expect(c.notice).toEqual({ key: "tooFewValues", params: { column: "spend", n: 2, min: 3 } });
  });

  it("goes back one column, then to the menu, then to the data source", async () => {
    const { actor } = await toMenu();
    actor.send({ type: "user.pickTest", test: "chiSquare" });
    actor.send({ type: "user.pickColumn", column: "member" });
    actor.send({ type: "user.back" });
    expect(actor.getSnapshot().context.picked).toEqual([]);
    expect(actor.getSnapshot().matches("PICKING_COLUMNS")).toBe(true);
    actor.send({ type: "user.back" });
    expect(actor.getSnapshot().matches("CHOOSING_TEST")).toBe(true);
    actor.send({ type: "user.back" });
    expect(actor.getSnapshot().matches({ CHOOSING_DATA_SOURCE: "ready" })).toBe(true);
    expect(actor.getSnapshot().context.dataset).toBeUndefined();
  });

  it("opens a dataset chosen in /datasets at once, and a stored one from the picker", async () => {
    const pre = makeActor({ datasetId: "ds-1" });
    await at(pre.actor, "CHOOSING_TEST");
    expect(pre.calls).toEqual([`describe ${DATA.uri}`]);

    const { actor, calls } = makeActor();
    await at(actor, { CHOOSING_DATA_SOURCE: "ready" });
    actor.send({ type: "user.browseDatasets" });
    expect(actor.getSnapshot().can({ type: "user.pickDataset", datasetId: "nope" })).toBe(false);
    actor.send({ type: "user.pickDataset", datasetId: "ds-1" });
    await at(actor, "CHOOSING_TEST");
    expect(calls).toEqual([`describe ${DATA.uri}`]);
  });

  it("cancels from the menu and from the column step, and restores from JSON", async () => {
    const { actor } = await toMenu();
    actor.send({ type: "user.pickTest", test: "anova" });
    actor.send({ type: "user.pickColumn", column: "spend" });
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.send({ type: "user.cancel" });
    expect(actor.getSnapshot().value).toBe("CANCELLED");
    expect(actor.getSnapshot().context.summary).toMatchObject({ status: "cancelled" });
    const restored = createActor(statsMachine, {
      snapshot: persisted,
      input: { workflowId: "", userId: 0, chatId: 0, startedAt: "" },
    }).start();
    expect(restored.getSnapshot().context.picked).toEqual(["spend"]);
    expect(restored.getSnapshot().can({ type: "user.pickColumn", column: "region" })).toBe(true);
    expect(restored.getSnapshot().can({ type: "user.pickColumn", column: "member" })).toBe(true);
    restored.send({ type: "user.cancel" });
    expect(restored.getSnapshot().value).toBe("CANCELLED");
  });
});
