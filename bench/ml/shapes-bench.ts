/**
 * Issue 12's five generated shapes (bench/ml/shapes.ts), run by `npm run bench:ml` after the shared datasets
 * and on their own with `npx tsx bench/ml/shapes-bench.ts`. For every shape and model, at 1 thread and at
 * all cores: our fit, then the reference's on the same design matrices (taking turns, so both see the same
 * machine load), wall seconds, scores side by side and the ratio ours ÷ theirs.
 * Options: --shape-scale 0.1 (or ML_BENCH_SCALE=0.1) shrinks every shape's rows; --shapes a,b picks shapes;
 * --shape-models logistic,xgboost picks models; --threads-list 1,2 sets the thread counts (default 1 and all).
 * Our models are built and fitted through the engine's estimator factory with the registry's parameter
 * parsing, as trainModel does, with `threads` set wherever the model's parameters have it. Each of our fits
 * runs in a child process killed after --fit-timeout seconds (default 900), so a fit that hangs is reported
 * as such instead of stalling the bench. --turns N runs each pair N times and keeps each side's turn of least
 * CPU. --cold skips the warm-up fit before ours: the fit is then the first of its process, as a training
 * job's is (a fresh child process each).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { r2Score } from "../../src/ml/metrics/regression.js";
import { accuracyOf } from "../../src/ml/metrics/simple.js";
import { createEstimator } from "../../src/ml/models/factory.js";
import { Random } from "../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../src/ml/registry.js";
import type { Prepared } from "./prepare.js";
import { SHAPE_NAMES, type ShapeName, shape } from "./shapes.js";

/** XGBoost's own defaults on both sides (the issue's comparison): learning rate 0.3, no sampling. */
const OUR_PARAMS: Record<string, Record<string, unknown>> = {
  xgboost: { learningRate: 0.3, subsample: 1, colsampleBytree: 1 },
};
const MODELS = ["logistic", "xgboost", "random_forest"];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Timed {
  score: number;
  /** Wall seconds of the fit. */
  seconds: number;
  /** CPU seconds of the fit, all threads (at 1 thread the fair measure on a loaded machine). */
  cpu: number;
  iterations?: number;
  evaluations?: number;
}

function hasThreadsParam(model: string): boolean {
  const spec = MODEL_REGISTRY.find((s) => s.id === model);
  const params = spec?.params as unknown as { shape?: Record<string, unknown> } | undefined;
  return params?.shape !== undefined && "threads" in params.shape;
}

function fitOurs(d: Prepared, model: string, threads: number, cold: boolean): Timed {
  const spec = MODEL_REGISTRY.find((s) => s.id === model);
  const raw = { ...OUR_PARAMS[model], ...(hasThreadsParam(model) ? { threads } : {}) };
  const params = spec?.params.parse(raw) as Record<string, unknown>;
  // Unless cold: warm the JIT on a slice first, so compilation is not counted as fit time.
  const warm = cold ? 0 : Math.min(d.Xtrain.rows, 2000);
  if (warm > 0)
    createEstimator(model, d.task, params, d.nClasses).fit(
      { data: d.Xtrain.data.subarray(0, warm * d.Xtrain.cols), rows: warm, cols: d.Xtrain.cols },
      d.ytrain.subarray(0, warm),
      { rng: new Random(43) },
    );
  const est = createEstimator(model, d.task, params, d.nClasses);
  const t = performance.now();
  const c = process.cpuUsage();
  est.fit(d.Xtrain, d.ytrain, { rng: new Random(43) });
  const used = process.cpuUsage(c);
  const seconds = (performance.now() - t) / 1000;
  const cpu = (used.user + used.system) / 1e6;
  const pred = est.predict(d.Xtest);
  const score = d.task === "regression" ? r2Score(d.ytest, pred) : accuracyOf(d.ytest, pred);
  const fitted = est.getFitted() as { iterations?: number; evaluations?: number };
  return { score, seconds, cpu, iterations: fitted.iterations, evaluations: fitted.evaluations };
}

export function writeShape(dir: string, d: Prepared): void {
  const write = (part: string, a: Float64Array<ArrayBufferLike>) =>
    writeFileSync(join(dir, `${d.name}.${part}.f64`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  write("Xtrain", d.Xtrain.data);
  write("ytrain", d.ytrain);
  write("Xtest", d.Xtest.data);
  write("ytest", d.ytest);
  writeFileSync(join(dir, `${d.name}.json`), JSON.stringify({ cols: d.Xtrain.cols }));
}

function fitTheirs(dir: string, d: Prepared, model: string, threads: number): Timed | undefined {
  const script = new URL("../reference/shapes_bench.py", import.meta.url).pathname;
  const t = String(threads);
  const env = { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t };
  const job = JSON.stringify({ dataset: d.name, model, task: d.task, threads });
  try {
    const out = execFileSync("/usr/bin/python3", [script, dir, job], { env }).toString();
    const r = JSON.parse(out.trim().split("\n").pop() as string);
    return {
      score: r.score,
      seconds: r.fit_s,
      cpu: r.cpu_s,
      iterations: r.iterations,
      evaluations: r.evaluations,
    };
  } catch (e) {
    process.stderr.write(`reference ${model} on ${d.name} failed: ${(e as Error).message.slice(0, 200)}\n`);
    return undefined;
  }
}

/** Our fit in a child process (same files as the reference reads); undefined when it hung or failed. */
function fitOursIsolated(dir: string, d: Prepared, model: string, threads: number): Timed | undefined {
  const timeout = 1000 * Number(arg("fit-timeout") ?? 900);
  const cold = process.argv.includes("--cold");
  const job = JSON.stringify({ dataset: d.name, task: d.task, nClasses: d.nClasses, model, threads, cold });
  const self = new URL(import.meta.url).pathname;
  try {
    const out = execFileSync(process.execPath, [...process.execArgv, self, "--child", dir, job], {
      timeout,
      killSignal: "SIGKILL",
      maxBuffer: 1024 * 1024,
    }).toString();
    return JSON.parse(out.trim().split("\n").pop() as string) as Timed;
  } catch (e) {
    const hung = (e as { signal?: string }).signal === "SIGKILL";
    process.stderr.write(
      `our ${model} on ${d.name} at ${threads} threads ${hung ? `did not finish in ${timeout / 1000} s (killed)` : `failed: ${(e as Error).message.slice(0, 300)}`}\n`,
    );
    return undefined;
  }
}

/** Child side of fitOursIsolated: reads the shape's files, fits, prints one JSON line. */
function runChild(
  dir: string,
  job: {
    dataset: string;
    task: Prepared["task"];
    nClasses: number;
    model: string;
    threads: number;
    cold: boolean;
  },
): void {
  const meta = JSON.parse(readFileSync(join(dir, `${job.dataset}.json`), "utf8")) as { cols: number };
  const read = (part: string) => {
    const b = readFileSync(join(dir, `${job.dataset}.${part}.f64`));
    return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  const Xtrain = read("Xtrain");
  const Xtest = read("Xtest");
  const c = meta.cols;
  const d: Prepared = {
    name: job.dataset,
    task: job.task,
    nClasses: job.nClasses,
    Xtrain: { data: Xtrain, rows: Xtrain.length / c, cols: c },
    ytrain: read("ytrain"),
    Xtest: { data: Xtest, rows: Xtest.length / c, cols: c },
    ytest: read("ytest"),
  };
  console.log(JSON.stringify(fitOurs(d, job.model, job.threads, job.cold)));
}

const f = (v: number | undefined, digits: number) => (v === undefined ? "—" : v.toFixed(digits));

function leastCpu(a: Timed | undefined, b: Timed | undefined): Timed | undefined {
  return a && (!b || a.cpu <= b.cpu) ? a : b;
}

export async function runShapes(): Promise<void> {
  const scale = Number(arg("shape-scale") ?? process.env.ML_BENCH_SCALE ?? 1);
  const names = (arg("shapes")?.split(",") ?? [...SHAPE_NAMES]) as ShapeName[];
  const models = arg("shape-models")?.split(",") ?? MODELS;
  const cores = availableParallelism();
  const threadCounts = (arg("threads-list") ?? [...new Set([1, cores])].join(",")).split(",").map(Number);
  const turns = Number(arg("turns") ?? 1);
  const dir = mkdtempSync(join(tmpdir(), "ml-shapes-"));
  console.log(
    `\nIssue-12 shapes at scale ${scale}, ${cores} cores, our fits ${process.argv.includes("--cold") ? "cold (first of their process)" : "after a 2000-row warm-up"}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    "| shape | rows train | model | threads | our score | reference score | our fit s | reference fit s | ratio | our CPU s | reference CPU s | CPU ratio | our iters/evals | reference iters/evals |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  try {
    for (const name of names) {
      const d = await shape(name, scale);
      writeShape(dir, d);
      for (const model of models) {
        if (model === "logistic" && d.task !== "classification") continue;
        for (const threads of threadCounts) {
          // Logistic has no threads on either side: one row at 1 thread.
          if (model === "logistic" && threads !== 1) continue;
          let ours: Timed | undefined;
          let theirs: Timed | undefined;
          // Turns alternate the two sides; each keeps its turn of least CPU (the steadiest on a busy machine).
          for (let turn = 0; turn < turns; turn++) {
            ours = leastCpu(ours, fitOursIsolated(dir, d, model, threads));
            theirs = leastCpu(theirs, fitTheirs(dir, d, model, threads));
          }
          const evals = (t?: Timed) => (t?.iterations ? `${t.iterations}/${t.evaluations ?? "—"}` : "—");
          console.log(
            `| ${name} | ${d.Xtrain.rows} | ${model} | ${threads} | ${f(ours?.score, 4)} | ${f(theirs?.score, 4)} | ${ours ? f(ours.seconds, 3) : "hung or failed"} | ${f(theirs?.seconds, 3)} | ${ours && theirs ? f(ours.seconds / theirs.seconds, 2) : "—"} | ${f(ours?.cpu, 3)} | ${f(theirs?.cpu, 3)} | ${ours && theirs ? f(ours.cpu / theirs.cpu, 2) : "—"} | ${evals(ours)} | ${evals(theirs)} |`,
          );
        }
      }
      for (const part of ["Xtrain", "ytrain", "Xtest", "ytest"])
        rmSync(join(dir, `${d.name}.${part}.f64`), { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

const child = process.argv.indexOf("--child");
if (child >= 0) runChild(process.argv[child + 1], JSON.parse(process.argv[child + 2]));
else if (process.argv[1]?.endsWith("shapes-bench.ts")) await runShapes();
