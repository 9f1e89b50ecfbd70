/**
 * The /stats actors and the drift check at /predict against the real sandbox (LocalIngest, child processes)
 * and real local storage. This process is the bot: its table reader is replaced by one that throws once the
 * arrangement is done, so any table parsed here instead of in the sandbox fails the test. The results are the
 * engine's own, the charts land under the user's prefix, and a repeat of the same job after a restart finds
 * the chart it stored.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createActor, toPromise } from "xstate";
import type { AnalyzeRequest, IngestPort } from "../../src/cloud/ingest-port.js";
import { LocalIngest, sandboxEnv, sandboxRunnerOptions } from "../../src/cloud/local/ingest.js";
import { LocalJobRunner } from "../../src/cloud/local/job-runner.js";
import { LocalStorageManager } from "../../src/cloud/local/storage.js";
import { loadSignedModel } from "../../src/cloud/signed-model.js";
import type { FlowPorts } from "../../src/flows/ports.js";
import { predictionActors } from "../../src/flows/prediction/actors.js";
import { statsActors } from "../../src/flows/stats/actors.js";
import { checkDrift, DEFAULT_LIMITS, readTable, svgToPng } from "../../src/ml/index.js";
import { reportChartSvg, runStatsTest, statsOverview } from "../../src/ml/stats/index.js";
import { saveIrisModel } from "../cloud/helpers/models.js";
import { TEST_SIGNING_KEY } from "../helpers/app.js";
import { fixture } from "../helpers/flows.js";

const bot = vi.hoisted(() => ({ mayParse: true, parsed: [] as string[] }));
vi.mock("../../src/ml/io/read-table.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/ml/io/read-table.js")>();
  return {
    ...real,
    readTable: (...args: Parameters<typeof real.readTable>) => {
      if (!bot.mayParse) {
        bot.parsed.push(args[1]?.fileName ?? "?");
        throw new Error("the bot process parsed a user's table");
      }
      return real.readTable(...args);
    },
  };
});

const USER = 5;
const SANDBOX = { memoryMb: 256, timeoutSeconds: 60 };
let dir: string;
let storage: LocalStorageManager;
let runner: LocalJobRunner;
const analyses: string[] = [];
let ports: FlowPorts;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sma-stats-actors-"));
  storage = new LocalStorageManager(dir);
  runner = new LocalJobRunner({
    storage,
    maxConcurrent: 2,
    env: sandboxEnv(dir),
    logDir: join(dir, "logs"),
    ...sandboxRunnerOptions(SANDBOX),
  });
  const sandbox = new LocalIngest(runner, { data: DEFAULT_LIMITS, sandbox: SANDBOX });
  // A spy around the real port: which analyses the flows asked the sandbox for.
  const ingest: IngestPort = {
    describe: (request) => sandbox.describe(request),
    analyze: (request: AnalyzeRequest) => {
      analyses.push(request.analysis.op);
      return sandbox.analyze(request);
    },
  } as IngestPort;
  ports = {
    storage,
    ingest,
    stagingDir: join(dir, ".staging"),
    modelSigningKey: TEST_SIGNING_KEY,
    userData: { listTemplates: async () => [] },
  } as unknown as FlowPorts;
});

afterAll(async () => {
  await runner.stopAll();
  await rm(dir, { recursive: true, force: true });
});

/** The engine's results on a fixture, computed here before the bot's reader is switched off. */
async function inProcess<T>(compute: () => Promise<T>): Promise<T> {
  bot.mayParse = true;
  try {
    return await compute();
  } finally {
    bot.mayParse = false;
  }
}

async function stagedUpload(name: string, content: string | Buffer = fixture(name)): Promise<string> {
  await mkdir(join(dir, "uploads"), { recursive: true });
  const path = join(dir, "uploads", name);
  await writeFile(path, content);
  return path;
}

describe("stats and drift actors with the real sandbox", () => {
  it("reads an upload once in the sandbox for its overview, then stores the file and the heatmap", async () => {
    const frame = await inProcess(() => readTable(fixture("penguins.csv"), { fileName: "penguins.csv" }));
    const expected = statsOverview(frame, { maxColumns: 40, language: "en" });
    analyses.length = 0;
    const input = {
      workflowId: "wf-stats-1",
      userId: USER,
      fileName: "penguins.csv",
      stagingPath: await stagedUpload("penguins.csv"),
      jobId: "wf-stats-1-i1",
      attempt: 1,
      language: "en" as const,
    };
    const out = await toPromise(createActor(statsActors(ports).describeDataset, { input }).start());
    expect(analyses).toEqual(["overview"]);
    expect(out.dataset.nRows).toBe(344);
    expect(out.dataset.uri).toMatch(new RegExp(`/datasets/user_${USER}/[^/]+\\.csv$`));
    expect(out.summary).toEqual(expected.summary);
    expect(out.correlations).toEqual(expected.correlations);
    expect(out.heatmapUri).toBe(storage.resultUri(USER, "wf-stats-1-i1", "correlations.png"));
    const png = await storage.readBytes(out.heatmapUri!, { userId: USER });
    expect(Buffer.from(png)).toEqual(Buffer.from(svgToPng(expected.heatmapSvg!)));
    expect(bot.parsed).toEqual([]);
  });

  it("runs a test on a stored dataset in the sandbox; the same job again (a restart) finds its stored chart", async () => {
    const datasetUri = await storage.uploadDataset(USER, await stagedUpload("iris.csv"), "iris.csv");
    const frame = await inProcess(() => readTable(fixture("iris.csv"), { fileName: "iris.csv" }));
    const expected = runStatsTest(frame, "anova", ["petal_length_cm", "species"]);
    if (!expected.ok) throw new Error("the engine runs this test");
    analyses.length = 0;
    const input = {
      userId: USER,
      jobId: "wf-stats-2-s0",
      datasetUri,
      fileName: "iris.csv",
      test: "anova" as const,
      columns: ["petal_length_cm", "species"],
      language: "en" as const,
    };
    const first = await toPromise(createActor(statsActors(ports).runTest, { input }).start());
    const again = await toPromise(createActor(statsActors(ports).runTest, { input }).start());
    expect(analyses).toEqual(["test", "test"]);
    if (!first.ok) throw new Error(`refused: ${first.problem.key}`);
    expect(first.report).toEqual(expected.report);
    expect(first.chartUri).toBe(storage.resultUri(USER, "wf-stats-2-s0", "chart.png"));
    expect(again).toEqual(first);
    const png = await storage.readBytes(first.chartUri, { userId: USER });
    expect(Buffer.from(png)).toEqual(Buffer.from(svgToPng(reportChartSvg(frame, expected.report))));

    expect(bot.parsed).toEqual([]);
  });

  it("checks drift at /predict in the sandbox, with the profile of the signed model", async () => {
    const modelUri = await inProcess(() => saveIrisModel(storage, USER, "m-iris", TEST_SIGNING_KEY));
    const shifted = shiftColumn(fixture("iris.csv").toString(), "petal_length_cm", 4);
    const dataUri = await storage.uploadDataset(USER, await stagedUpload("later.csv", shifted), "later.csv");
    const expected = await inProcess(async () => {
      const owner = { userId: USER, modelId: "m-iris" };
      const local = join(dir, "expected-model");
      const { model } = await loadSignedModel(storage, owner, local, TEST_SIGNING_KEY);
      return checkDrift(
        model,
        await readTable(new Uint8Array(Buffer.from(shifted)), { fileName: "later.csv" }),
      )!;
    });
    analyses.length = 0;
    const input = { userId: USER, modelUri, dataUri, fileName: "later.csv" };
    const summary = await toPromise(createActor(predictionActors(ports).checkDrift, { input }).start());
    expect(analyses).toEqual(["drift"]);
    expect(summary).toEqual({
      rows: 150,
      checked: 4,
      drifting: expected.drifting,
      more: 0,
    });
    expect(summary!.drifting.map((d) => d.feature)).toContain("petal_length_cm");
    expect(bot.parsed).toEqual([]);
  });
});

/** The CSV with `by` added to one numeric column (simple CSVs only). */
function shiftColumn(csv: string, column: string, by: number): string {
  const [header, ...rows] = csv.trim().split("\n");
  const j = header.split(",").indexOf(column);
  const moved = rows.map((row) => {
    const cells = row.split(",");
    cells[j] = String(Number(cells[j]) + by);
    return cells.join(",");
  });
  return `${[header, ...moved].join("\n")}\n`;
}
