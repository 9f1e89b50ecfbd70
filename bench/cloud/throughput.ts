/**
 * The throughput model behind every quote (src/cloud/throughput.ts), measured here: each model type is trained
 * by the real worker process (the bundled worker local jobs run, on a spec like the bot writes) on seeded
 * synthetic data of a few sizes, and fitted to overhead + rate × work units. A job is timed in CPU seconds of
 * the worker process (all its threads): our engine fits on one core, so on a machine of its own that is its
 * wall time, and unlike wall time here it does not grow with what else the machine is doing. Each size runs
 * `--repeats` times (default 2) and the fastest counts.
 *
 *   npx tsx bench/cloud/throughput.ts --write     # calibrate, and write src/cloud/throughput-model.ts
 *   npx tsx bench/cloud/throughput.ts             # check: the quote against measured runs at other sizes
 *   options: --models a,b  --repeats N
 *
 * The check prints, per model type and size, the quote's seconds, the measured seconds and their ratio (and the
 * wall time on this machine); the goal is ±20%.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JobChannel, trainSpecFrom } from "../../src/cloud/job-channel.js";
import { LocalStorageManager } from "../../src/cloud/local/storage.js";
import { workerArgs } from "../../src/cloud/local/worker-command.js";
import { roundMinutes } from "../../src/cloud/pricing.js";
import { estimateTrainingSeconds, type ThroughputModel, workUnits } from "../../src/cloud/throughput.js";
import { Random } from "../../src/ml/random.js";

const P = 10; // features; the file has P + 1 columns
const KEY = "bench-signing-key-0123456789abcdef0123456789";
const MODEL_FILE = fileURLToPath(new URL("../../src/cloud/throughput-model.ts", import.meta.url));

interface Plan {
  model: string;
  task: "regression" | "classification";
  /** Sizes the rate is fitted on, and the other sizes the quote is checked on. */
  calibrate: number[];
  check: number[];
}

const DEFAULT_SIZES = { calibrate: [2_000, 10_000, 30_000], check: [5_000, 20_000] };
const PLANS: Plan[] = [
  ...["linear", "ridge", "lasso", "elasticnet", "polynomial"].map((model) => ({
    model,
    task: "regression" as const,
    ...DEFAULT_SIZES,
  })),
  ...["logistic", "naive_bayes", "decision_tree", "random_forest", "gradient_boosting"].map((model) => ({
    model,
    task: "classification" as const,
    ...DEFAULT_SIZES,
  })),
  ...["hist_gradient_boosting", "xgboost", "lightgbm", "catboost", "mlp"].map((model) => ({
    model,
    task: "classification" as const,
    ...DEFAULT_SIZES,
  })),
  { model: "svm", task: "classification", calibrate: [1_000, 2_000, 4_000], check: [1_500, 3_000] },
  { model: "knn", task: "classification", calibrate: [2_000, 5_000, 10_000], check: [3_000, 8_000] },
];

interface Run {
  model: string;
  n: number;
  /** CPU seconds of the worker process (the fastest of the repeats). */
  seconds: number;
  /** Wall seconds of that run on this machine. */
  wall: number;
  units: number;
}

function args() {
  const argv = process.argv.slice(2);
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    write: argv.includes("--write"),
    models: value("--models")?.split(","),
    repeats: Number(value("--repeats") ?? 2),
  };
}

/** A seeded CSV: P standard-normal features and a target (a noisy linear score; classes by its sign). */
function syntheticCsv(path: string, n: number, task: Plan["task"], seed = 11): void {
  const rng = new Random(seed);
  const w = Array.from({ length: P }, (_, j) => (j < 5 ? 1 + rng.next() : 0));
  const lines = [[...Array.from({ length: P }, (_, j) => `x${j}`), "y"].join(",")];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: P }, () => rng.normal());
    const score = x.reduce((s, v, j) => s + v * w[j], 0) + x[0] * x[1] + 0.5 * rng.normal();
    const y = task === "regression" ? score.toFixed(5) : score > 0 ? "yes" : "no";
    lines.push([...x.map((v) => v.toFixed(5)), y].join(","));
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/** One job through the worker process, `repeats` times: the fastest run's CPU and wall seconds. */
async function measure(storage: LocalStorageManager, dir: string, plan: Plan, n: number, repeats: number) {
  const file = join(dir, `${plan.task}-${n}.csv`);
  syntheticCsv(file, n, plan.task);
  const datasetUri = await storage.uploadDataset(1, file, "data.csv");
  const channel = new JobChannel(storage);
  const node = [process.execPath, ...(await workerArgs())];
  let best: Run | undefined;
  for (let r = 0; r < repeats; r++) {
    const jobId = `bench-${plan.model.replaceAll("_", "-")}-${n}-${Date.now().toString(36)}-${r}`;
    const spec = trainSpecFrom(
      {
        jobId,
        computeType: "local",
        datasetUri,
        modelId: `m-${jobId}`,
        userId: 1,
        modelType: plan.model,
        taskType: plan.task,
        targetColumn: "y",
        featureColumns: Array.from({ length: P }, (_, j) => `x${j}`),
        hyperparameters: {},
        deadline: new Date(Date.now() + 60 * 60_000).toISOString(),
      },
      storage,
      "local",
    );
    await channel.writeSpecOnce(spec);
    // bash's `time` gives the child's user + system seconds, every thread included.
    const command = `TIMEFORMAT='%3U %3S %3R'; time ${node.map((a) => `'${a}'`).join(" ")} '${channel.uri(jobId, "spec.json")}'`;
    const run = spawnSync("bash", ["-c", command], {
      env: { ...process.env, DATA_DIR: dir, MODEL_SIGNING_KEY: KEY, LOG_LEVEL: "silent" },
      encoding: "utf8",
    });
    const [user, sys, wall] = run.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
    if (run.status !== 0)
      throw new Error(`${plan.model} ${n}: exit ${run.status}: ${run.stderr.slice(-500)}`);
    const seconds = user + sys;
    if (!best || seconds < best.seconds) best = { model: plan.model, n, seconds, wall, units: 0 };
  }
  const units = workUnits(plan.model, { nRows: n, nColumns: P + 1, classes: 2, task: plan.task });
  return { ...best!, units };
}

/** Least squares of y = a + b·x. */
function line(points: Array<[number, number]>): { a: number; b: number } {
  const m = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / m;
  const my = points.reduce((s, [, y]) => s + y, 0) / m;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const b = sxx > 0 ? points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : 0;
  return { a: my - b * mx, b };
}

/** Models whose fit is negligible: their runs measure the overhead of a job of each task. */
const OVERHEAD_PROBES = { regression: "linear", classification: "naive_bayes" } as const;

/** Least squares of seconds = base + perMillionCells × cells over one model's runs. */
function overheadOf(runs: Run[], model: string) {
  const points = runs
    .filter((r) => r.model === model)
    .map((r) => [(r.n * (P + 1)) / 1e6, r.seconds] as [number, number]);
  const fitted = line(points);
  return { base: round(Math.max(0.5, fitted.a)), perMillionCells: round(Math.max(0, fitted.b)) };
}

/** The model fitted on calibration runs: each task's overhead from its probe model's runs, then each rate. */
function fitModel(runs: Run[]): ThroughputModel {
  const overhead = {
    regression: overheadOf(runs, OVERHEAD_PROBES.regression),
    classification: overheadOf(runs, OVERHEAD_PROBES.classification),
  };
  const taskOf = new Map(PLANS.map((p) => [p.model, p.task]));
  const rates: Record<string, number> = {};
  for (const model of new Set(runs.map((r) => r.model))) {
    const o = overhead[taskOf.get(model) ?? "classification"];
    const excess = runs
      .filter((r) => r.model === model)
      .map((r) => [r.units, r.seconds - o.base - (o.perMillionCells * r.n * (P + 1)) / 1e6]);
    // Least squares through the origin: seconds of fit per million units.
    const rate = excess.reduce((s, [u, e]) => s + u * e, 0) / excess.reduce((s, [u]) => s + u * u, 0);
    rates[model] = round(Math.max(0, rate));
  }
  return {
    measuredAt: new Date().toISOString().slice(0, 10),
    machine: `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}`,
    overhead,
    secondsPerMillionUnits: rates,
  };
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

function writeModel(model: ThroughputModel): void {
  // As the formatter writes it: bare keys, trailing commas.
  const body = JSON.stringify(model, null, 2)
    .replace(/"(\w+)":/g, "$1:")
    .replace(/([^{[,\s])(?=\n\s*[}\]])/g, "$1,");
  writeFileSync(
    MODEL_FILE,
    `/**
 * Generated by \`npx tsx bench/cloud/throughput.ts --write\` (do not edit by hand): the throughput model of
 * throughput.ts, measured with the local worker process on synthetic data.
 */
import type { ThroughputModel } from "./throughput.js";

export const THROUGHPUT_MODEL: ThroughputModel = ${body};
`,
  );
}

async function main() {
  const options = args();
  const plans = PLANS.filter((p) => !options.models || options.models.includes(p.model));
  const dir = mkdtempSync(join(tmpdir(), "sma-throughput-"));
  const storage = new LocalStorageManager(dir);
  try {
    if (options.write) {
      const runs: Run[] = [];
      // The overhead probes run first, whatever models were asked for.
      const probes = PLANS.filter((p) => Object.values(OVERHEAD_PROBES).includes(p.model as never));
      for (const plan of [...probes, ...plans.filter((p) => !probes.includes(p))])
        for (const n of plan.calibrate) runs.push(await measure(storage, dir, plan, n, options.repeats));
      const model = fitModel(runs);
      writeModel(model);
      console.log(`wrote ${MODEL_FILE}:`, JSON.stringify(model, null, 2));
      return;
    }
    console.log(
      "| model | rows × columns | quote (s) | shown | measured (CPU s) | measured ÷ quote | wall here (s) |",
    );
    console.log("|---|---|---|---|---|---|---|");
    const ratios: number[] = [];
    for (const plan of plans) {
      for (const n of plan.check) {
        const run = await measure(storage, dir, plan, n, options.repeats);
        const quote = estimateTrainingSeconds(plan.model, n, P + 1, {}, { classes: 2, task: plan.task });
        const shown = roundMinutes(quote) * 60;
        const ratio = run.seconds / quote;
        ratios.push(ratio);
        console.log(
          `| ${plan.model} | ${n} × ${P + 1} | ${quote.toFixed(1)} | ${shown.toFixed(0)} s | ${run.seconds.toFixed(1)} | ${ratio.toFixed(2)} | ${run.wall.toFixed(1)} |`,
        );
      }
    }
    const within = ratios.filter((r) => r >= 0.8 && r <= 1.2).length;
    console.log(`\n${within} of ${ratios.length} within ±20% of the quote.`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
