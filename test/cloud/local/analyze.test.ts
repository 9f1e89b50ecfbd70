/**
 * Analyses in the ingest sandbox: real child processes read the table and compute /stats' overview, a test,
 * or a drift check with src/ml's own code. Each result equals what the same code computes in this process on
 * the same fixture (NaN included), each chart is the same PNG byte for byte, and the sandbox's limits and
 * errors are those of an ingest.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalyzeRequest } from "../../../src/cloud/ingest-port.js";
import type { Analysis } from "../../../src/cloud/job-spec.js";
import { LocalIngest, sandboxEnv, sandboxRunnerOptions } from "../../../src/cloud/local/ingest.js";
import { LocalJobRunner } from "../../../src/cloud/local/job-runner.js";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import { DataLimitError, IngestLimitError, SchemaMismatchError } from "../../../src/errors.js";
import {
  checkDrift,
  DEFAULT_LIMITS,
  describeFrame,
  readTable,
  svgToPng,
  trainModel,
} from "../../../src/ml/index.js";
import { reportChartSvg, runStatsTest, statsOverview } from "../../../src/ml/stats/index.js";
import type { ModelDocument } from "../../../src/ml/types.js";

const SANDBOX = { memoryMb: 256, timeoutSeconds: 60 };
const PENGUINS = readFileSync(join(import.meta.dirname, "../../fixtures/penguins.csv"), "utf8");

let dir: string;
let storage: LocalStorageManager;
let runner: LocalJobRunner;
let ingest: LocalIngest;
let jobs = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sma-analyze-"));
  storage = new LocalStorageManager(dir);
  runner = new LocalJobRunner({
    storage,
    maxConcurrent: 2,
    env: sandboxEnv(dir),
    logDir: join(dir, "logs"),
    ...sandboxRunnerOptions(SANDBOX),
  });
  ingest = new LocalIngest(runner, { data: DEFAULT_LIMITS, sandbox: SANDBOX });
});

afterAll(async () => {
  await runner.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

function staged(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function request<A extends Analysis>(fileName: string, content: string, analysis: A): AnalyzeRequest<A> {
  const jobId = `job-analyze-${++jobs}`;
  return {
    jobId,
    userId: 5,
    filePath: staged(fileName, content),
    fileName,
    analysis,
    outputDir: join(dir, "out", jobId),
  };
}

/** What this process computes on the same text (the JSON a workflow context would hold, NaN kept). */
const frameOf = (fileName: string, content: string) =>
  readTable(new Uint8Array(Buffer.from(content)), { fileName, limits: DEFAULT_LIMITS });

describe("LocalIngest.analyze", () => {
  it("computes the overview of penguins.csv in a sandbox, as this process does, and draws the same heatmap", async () => {
    const { result, chartPath } = await ingest.analyze(
      request("penguins.csv", PENGUINS, { op: "overview", maxColumns: 40, language: "en" }),
    );
    const frame = await frameOf("penguins.csv", PENGUINS);
    const here = statsOverview(frame, { maxColumns: 40, language: "en" });
    expect(result).toEqual({
      description: describeFrame(frame),
      summary: here.summary,
      correlations: here.correlations,
    });
    expect(result.description.nRows).toBe(344);
    expect(result.correlations.strongest[0].a).toBe("Flipper Length (mm)");
    expect(readFileSync(chartPath!)).toEqual(Buffer.from(svgToPng(here.heatmapSvg!)));
  });

  it("keeps NaN as NaN (a constant column's correlations) and draws no heatmap for a single numeric column", async () => {
    const constant = "a,b,c\n1,5,x\n2,5,y\n3,5,x\n4,5,y\n";
    const { result } = await ingest.analyze(
      request("constant.csv", constant, { op: "overview", maxColumns: 40, language: "pt" }),
    );
    const strongest = result.correlations.strongest;
    expect(strongest).toHaveLength(1);
    expect(strongest[0].pearson.r).toBeNaN();
    const here = statsOverview(await frameOf("constant.csv", constant), { maxColumns: 40 });
    expect(result.correlations).toEqual(here.correlations);

    const single = "a,c\n1,x\n2,y\n3,x\n";
    const alone = await ingest.analyze(
      request("single.csv", single, { op: "overview", maxColumns: 40, language: "en" }),
    );
    expect(alone.chartPath).toBeUndefined();
    expect(alone.result.summary.map((s) => s.name)).toEqual(["a", "c"]);
  });

  it("runs tests in a sandbox with the engine's numbers and charts, and passes a test's refusal on", async () => {
    const frame = await frameOf("penguins.csv", PENGUINS);
    for (const [test, columns] of [
      ["welch", ["Body Mass (g)", "Sex"]],
      ["chiSquare", ["Island", "Species"]],
    ] as const) {
      const { result, chartPath } = await ingest.analyze(
        request("penguins.csv", PENGUINS, { op: "test", test, columns: [...columns], language: "en" }),
      );
      const here = runStatsTest(frame, test, [...columns]);
      if (!here.ok) throw new Error("the engine refused a test it runs in the e2e test");
      expect(result.outcome).toEqual(JSON.parse(JSON.stringify(here)));
      expect(readFileSync(chartPath!)).toEqual(Buffer.from(svgToPng(reportChartSvg(frame, here.report))));
    }

    const oneIsland = `${PENGUINS.split("\n")
      .filter((line, i) => i === 0 || line.includes("Torgersen"))
      .join("\n")}\n`;
    const refused = await ingest.analyze(
      request("torgersen.csv", oneIsland, {
        op: "test",
        test: "anova",
        columns: ["Body Mass (g)", "Island"],
        language: "en",
      }),
    );
    expect(refused.result.outcome).toEqual({
      ok: false,
      problem: expect.objectContaining({ key: "oneGroup" }),
    });
    expect(refused.chartPath).toBeUndefined();
  });

  it("checks drift in a sandbox against a model's profile, as this process does", async () => {
    const model = await penguinModel();
    const shiftedRows = PENGUINS.replaceAll("Torgersen", "Atlantis").replaceAll(",MALE", ",M");
    const { features, trainingProfile } = model;
    const { result } = await ingest.analyze(
      request("new.csv", shiftedRows, { op: "drift", features, trainingProfile }),
    );
    const here = checkDrift(model, await frameOf("new.csv", shiftedRows))!;
    expect(result.report).toEqual(JSON.parse(JSON.stringify(here)));
    expect(result.report!.drifting.map((d) => d.feature)).toEqual(expect.arrayContaining(["Island", "Sex"]));
    const island = result.report!.drifting.find((d) => d.feature === "Island")!;
    expect(island.unseen?.examples).toEqual(["Atlantis"]);

    const withoutIsland = PENGUINS.replace("Island,", "Place,");
    const mismatch = ingest.analyze(
      request("renamed.csv", withoutIsland, { op: "drift", features, trainingProfile }),
    );
    await expect(mismatch).rejects.toThrow(SchemaMismatchError);
    await expect(mismatch).rejects.toThrow(/missing columns the model needs: "Island"/);
  });

  it("reads within the same limits as an ingest and names the limit it hit", async () => {
    const header = Array.from({ length: 1500 }, (_, j) => `c${j}`).join(",");
    const wide = ingest.analyze(
      request("wide.csv", `${header}\n${header}\n`, { op: "overview", maxColumns: 40, language: "en" }),
    );
    await expect(wide).rejects.toThrow(DataLimitError);
    await expect(wide).rejects.toThrow(/1500 columns; the limit is 1000/);

    const slowRunner = new LocalJobRunner({
      storage,
      maxConcurrent: 1,
      env: sandboxEnv(dir),
      logDir: join(dir, "logs"),
      ...sandboxRunnerOptions({ memoryMb: 256, timeoutSeconds: 0.05 }),
    });
    const slow = new LocalIngest(slowRunner, {
      data: DEFAULT_LIMITS,
      sandbox: { memoryMb: 256, timeoutSeconds: 0.05 },
    });
    const late = slow.analyze(
      request("late.csv", PENGUINS, { op: "test", test: "welch", columns: ["a", "b"], language: "en" }),
    );
    await expect(late).rejects.toThrow(IngestLimitError);
    await expect(late).rejects.toThrow(/INGEST_TIMEOUT_SECONDS/);
  });
});

/** A regression on penguins with two categorical features, trained here (its profile is what counts). */
async function penguinModel(): Promise<ModelDocument> {
  const frame = await frameOf("penguins.csv", PENGUINS);
  return trainModel(frame, {
    modelType: "linear",
    task: "regression",
    target: "Body Mass (g)",
    features: ["Island", "Sex", "Flipper Length (mm)"],
    hyperparameters: {},
    testSize: 0.2,
    seed: 42,
    scaling: "standard",
  }).model;
}
