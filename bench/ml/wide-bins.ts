/**
 * What more than 255 bins costs and gains: our `xgboost` id at several `maxBin` values (uint8 bins up to 255,
 * uint16 above) against XGBoost's hist at its `max_bin` values, on issue 12's shapes (bench/ml/shapes.ts),
 * XGBoost's own defaults otherwise (100 rounds, depth 6, learning rate 0.3, no sampling), one thread each.
 * Ours and the reference take turns; each configuration's best CPU seconds over the turns is printed with
 * its test score (the same on every turn: both sides are seeded).
 *
 *   npx tsx bench/ml/wide-bins.ts --shape weak-2 --scale 0.3 --ours 255,256,1024 --theirs 256,1024 --turns 3
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { r2Score } from "../../src/ml/metrics/regression.js";
import { accuracyOf } from "../../src/ml/metrics/simple.js";
import { createEstimator } from "../../src/ml/models/factory.js";
import { Random } from "../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../src/ml/registry.js";
import type { Prepared } from "./prepare.js";
import { type ShapeName, shape } from "./shapes.js";
import { writeShape } from "./shapes-bench.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

interface Run {
  score: number;
  cpu: number;
}

const score = (d: Prepared, pred: Float64Array) =>
  d.task === "regression" ? r2Score(d.ytest, pred) : accuracyOf(d.ytest, pred);

/** Our xgboost id with XGBoost's defaults and `maxBin`, one thread (after a warm-up fit on 2000 rows). */
function fitOurs(d: Prepared, maxBin: number): Run {
  const spec = MODEL_REGISTRY.find((s) => s.id === "xgboost");
  const raw = { learningRate: 0.3, subsample: 1, colsampleBytree: 1, maxBin, threads: 1 };
  const params = spec?.params.parse(raw) as Record<string, unknown>;
  const warm = Math.min(d.Xtrain.rows, 2000);
  createEstimator("xgboost", d.task, params, d.nClasses).fit(
    { data: d.Xtrain.data.subarray(0, warm * d.Xtrain.cols), rows: warm, cols: d.Xtrain.cols },
    d.ytrain.subarray(0, warm),
    { rng: new Random(43) },
  );
  const est = createEstimator("xgboost", d.task, params, d.nClasses);
  const c = process.cpuUsage();
  est.fit(d.Xtrain, d.ytrain, { rng: new Random(43) });
  const used = process.cpuUsage(c);
  return { score: score(d, est.predict(d.Xtest)), cpu: (used.user + used.system) / 1e6 };
}

/** XGBoost with `max_bin` (bench/reference/shapes_bench.py), one thread. */
function fitTheirs(dir: string, d: Prepared, maxBin: number): Run {
  const script = new URL("../reference/shapes_bench.py", import.meta.url).pathname;
  const job = JSON.stringify({
    dataset: d.name,
    model: "xgboost",
    task: d.task,
    threads: 1,
    max_bin: maxBin,
  });
  const env = { ...process.env, OMP_NUM_THREADS: "1" };
  const out = execFileSync("/usr/bin/python3", [script, dir, job], { env }).toString();
  const r = JSON.parse(out.trim().split("\n").pop() as string);
  return { score: r.score, cpu: r.cpu_s };
}

const name = arg("shape", "weak-2") as ShapeName;
const scale = Number(arg("scale", "0.3"));
const ours = arg("ours", "255,256,1024").split(",").filter(Boolean).map(Number);
const theirs = arg("theirs", "256,1024").split(",").filter(Boolean).map(Number);
const turns = Number(arg("turns", "3"));
const d = await shape(name, scale);
const dir = mkdtempSync(join(tmpdir(), "ml-wide-bins-"));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
console.log(
  `${name} at scale ${scale} (${d.Xtrain.rows} training rows), ${turns} turns, load average ${load()}`,
);
const best = new Map<string, Run>();
const keep = (key: string, r: Run) => {
  const b = best.get(key);
  if (!b || r.cpu < b.cpu) best.set(key, r);
};
try {
  writeShape(dir, d);
  for (let t = 0; t < turns; t++) {
    for (const b of ours) keep(`ours maxBin ${b}`, fitOurs(d, b));
    for (const b of theirs) keep(`XGBoost max_bin ${b}`, fitTheirs(dir, d, b));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log("| side | score | best CPU s |\n|---|---|---|");
for (const [key, r] of best) console.log(`| ${key} | ${r.score.toFixed(4)} | ${r.cpu.toFixed(2)} |`);
console.log(`load average after: ${load()}`);
