/**
 * `npm run bench:ml` (tsx bench/ml/run.ts [--scale 10000,100000] [--models a,b] [--seeds 1,2] [--no-sklearn]):
 * trains every model on the shared datasets (and optional synthetic sizes) with the engine, then runs the
 * same split and design matrices through scikit-learn with /usr/bin/python3 when python3-sklearn is
 * installed, and prints: model, dataset, our score, theirs, our fit time, theirs, ratio (ours / theirs).
 * Then issue 12's five generated shapes (bench/ml/shapes-bench.ts: logistic, XGBoost-style GBDT and the
 * random forest at 1 thread and at all cores on both sides) and the CSV reader against pandas
 * (bench/ml/csv.ts). `--shape-scale 0.1` or ML_BENCH_SCALE=0.1 shrinks the shapes and CSV files for a run of
 * a few minutes on a shared machine; `--no-shapes`, `--no-csv` skip them; `--only-shapes` skips the rest.
 * Reference: Debian's python3-sklearn, python3-xgboost, python3-scipy; python3-pandas for the CSV part.
 * Not a test: numbers depend on the machine and its load.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTable } from "../../src/ml/index.js";
import { r2Score } from "../../src/ml/metrics/regression.js";
import { accuracyOf } from "../../src/ml/metrics/simple.js";
import { createEstimator, supportsTask } from "../../src/ml/models/factory.js";
import { Random } from "../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../src/ml/registry.js";
import { runCsv } from "./csv.js";
import { type Prepared, prepare } from "./prepare.js";
import { runShapes } from "./shapes-bench.js";
import { synthetic } from "./synthetic.js";

const DATASETS = [
  ["diabetes", "progression", "regression"],
  ["breast_cancer", "diagnosis", "classification"],
  ["wine", "cultivar", "classification"],
  ["iris", "species", "classification"],
  ["penguins", "Species", "classification"],
] as const;
/** Models run on synthetic data (the slow exact ones are left to the small sets). */
const SCALE_MODELS = [
  "linear",
  "ridge",
  "logistic",
  "naive_bayes",
  "decision_tree",
  "random_forest",
  "gradient_boosting",
  "hist_gradient_boosting",
  "xgboost",
  "lightgbm",
  "catboost",
  "knn",
  "mlp",
];

interface Row {
  model: string;
  dataset: string;
  ours: number;
  /** Fit time in CPU seconds (best of the repeats): a shared machine's load skews wall time. */
  oursFit: number;
  oursWall: number;
  theirs?: number;
  theirsFit?: number;
  theirsWall?: number;
  /** Prediction CPU seconds for the held-out rows. */
  oursPredict: number;
  theirsPredict?: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Split seeds (`--seeds 1,2,3`); several seeds average out the luck of one split. */
function seeds(): number[] {
  return (arg("seeds") ?? "42").split(",").map(Number);
}

async function datasets(): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const [name, target, task] of DATASETS) {
    const bytes = readFileSync(new URL(`../../test/fixtures/${name}.csv`, import.meta.url));
    const frame = await readTable(bytes, { fileName: `${name}.csv` });
    for (const seed of seeds())
      out.push(prepare(seeds().length > 1 ? `${name}#${seed}` : name, frame, target, task, seed));
  }
  for (const n of (arg("scale") ?? "").split(",").filter(Boolean).map(Number)) {
    out.push(synthetic("regression", n), synthetic("classification", n));
  }
  return out;
}

function runOurs(d: Prepared, model: string, repeats: number): Row {
  let best = Number.POSITIVE_INFINITY;
  let bestWall = Number.POSITIVE_INFINITY;
  let bestPredict = Number.POSITIVE_INFINITY;
  let pred: ArrayLike<number> = [];
  const params = MODEL_REGISTRY.find((s) => s.id === model)?.params.parse(overrides(model)) as Record<
    string,
    unknown
  >;
  // One untimed fit first on at most 2,000 rows, so the JIT's warm-up is not counted as fit time.
  const warm = Math.min(d.Xtrain.rows, 2000);
  createEstimator(model, d.task, params, d.nClasses).fit(
    { data: d.Xtrain.data.subarray(0, warm * d.Xtrain.cols), rows: warm, cols: d.Xtrain.cols },
    d.ytrain.subarray(0, warm),
    { rng: new Random(43) },
  );
  for (let r = 0; r < repeats; r++) {
    const est = createEstimator(model, d.task, params, d.nClasses);
    const t = performance.now();
    const cpu = process.cpuUsage();
    est.fit(d.Xtrain, d.ytrain, { rng: new Random(43) });
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / 1e6);
    bestWall = Math.min(bestWall, (performance.now() - t) / 1000);
    // Predict once untimed (compiles the predict path), then the best of two timed calls.
    est.predict(d.Xtest.rows > 2000 ? { ...d.Xtest, rows: 2000 } : d.Xtest);
    for (let k = 0; k < 2; k++) {
      const p0 = process.cpuUsage();
      pred = est.predict(d.Xtest);
      const pu = process.cpuUsage(p0);
      bestPredict = Math.min(bestPredict, (pu.user + pu.system) / 1e6);
    }
  }
  const ours = d.task === "regression" ? r2Score(d.ytest, pred) : accuracyOf(d.ytest, pred);
  return { model, dataset: d.name, ours, oursFit: best, oursWall: bestWall, oursPredict: bestPredict };
}

/** `--threads 2` sets the histogram models' thread count. */
function overrides(model: string): Record<string, unknown> {
  const threads = arg("threads");
  const hist = ["hist_gradient_boosting", "xgboost", "lightgbm", "catboost"];
  return threads && hist.includes(model) ? { threads: Number(threads) } : {};
}

function hasSklearn(): boolean {
  const r = spawnSync("/usr/bin/python3", ["-c", "import sklearn"], { stdio: "ignore" });
  return r.status === 0;
}

function runTheirs(data: Prepared[], rows: Row[], repeatsOf: (d: Prepared) => number): void {
  const dir = mkdtempSync(join(tmpdir(), "ml-bench-"));
  try {
    for (const d of data) {
      const write = (part: string, a: Float64Array<ArrayBufferLike>) =>
        writeFileSync(
          join(dir, `${d.name}.${part}.f64`),
          new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
        );
      write("Xtrain", d.Xtrain.data);
      write("ytrain", d.ytrain);
      write("Xtest", d.Xtest.data);
      write("ytest", d.ytest);
      writeFileSync(join(dir, `${d.name}.json`), JSON.stringify({ cols: d.Xtrain.cols }));
    }
    const byName = new Map(data.map((d) => [d.name, d]));
    const jobs = rows.map((r) => {
      const d = byName.get(r.dataset) as Prepared;
      return { dataset: r.dataset, model: r.model, task: d.task, repeats: repeatsOf(d) };
    });
    writeFileSync(join(dir, "jobs.json"), JSON.stringify(jobs));
    const script = new URL("../reference/sklearn_bench.py", import.meta.url).pathname;
    const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
    const out = execFileSync("/usr/bin/python3", [script, dir], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    }).toString();
    for (const line of out.split("\n").filter(Boolean)) {
      const r = JSON.parse(line) as {
        dataset: string;
        model: string;
        score: number;
        fit_s: number;
        wall_s: number;
        predict_s: number;
      };
      const row = rows.find((x) => x.dataset === r.dataset && x.model === r.model);
      if (row) {
        Object.assign(row, {
          theirs: r.score,
          theirsFit: r.fit_s,
          theirsWall: r.wall_s,
          theirsPredict: r.predict_s,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined || Number.isNaN(v) ? "—" : v.toFixed(digits);
}

async function main(): Promise<void> {
  if (!process.argv.includes("--only-shapes")) await runDatasets();
  if (!process.argv.includes("--no-shapes")) await runShapes();
  if (!process.argv.includes("--no-csv")) {
    const scale = Number(arg("shape-scale") ?? process.env.ML_BENCH_SCALE ?? 1);
    const rows = (n: number) => Math.max(1000, Math.round(n * scale));
    await runCsv([rows(100_000), rows(1_000_000)], [rows(150_000)]);
  }
}

async function runDatasets(): Promise<void> {
  const only = arg("models")?.split(",");
  const skip = arg("skip")?.split(",") ?? [];
  const data = await datasets();
  const repeatsOf = (d: Prepared) => (d.Xtrain.rows > 5000 ? 1 : 3);
  const rows: Row[] = [];
  for (const d of data) {
    const synthetic = d.name.startsWith("synthetic");
    for (const spec of MODEL_REGISTRY) {
      if (only && !only.includes(spec.id)) continue;
      if (skip.includes(spec.id)) continue;
      if (synthetic && !SCALE_MODELS.includes(spec.id)) continue;
      if (!supportsTask(spec.id, d.task)) continue;
      const row = runOurs(d, spec.id, repeatsOf(d));
      rows.push(row);
      process.stderr.write(`${spec.id} ${d.name}: ${row.ours.toFixed(4)} in ${row.oursFit.toFixed(3)} s\n`);
    }
  }
  if (!process.argv.includes("--no-sklearn") && hasSklearn()) runTheirs(data, rows, repeatsOf);
  else process.stderr.write("scikit-learn not run (install python3-sklearn, or drop --no-sklearn)\n");
  console.log(
    "| model | dataset | our score | reference score | our fit s (CPU) | reference fit s (CPU) | ratio | our wall s | reference wall s | our predict s | reference predict s | predict ratio |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const ratio = r.theirsFit ? r.oursFit / r.theirsFit : undefined;
    console.log(
      `| ${r.model} | ${r.dataset} | ${fmt(r.ours, 4)} | ${fmt(r.theirs, 4)} | ${fmt(r.oursFit, 4)} | ${fmt(r.theirsFit, 4)} | ${fmt(ratio, 2)} | ${fmt(r.oursWall, 3)} | ${fmt(r.theirsWall, 3)} | ${fmt(r.oursPredict, 4)} | ${fmt(r.theirsPredict, 4)} | ${fmt(r.theirsPredict ? r.oursPredict / r.theirsPredict : undefined, 2)} |`,
    );
  }
}

await main();
