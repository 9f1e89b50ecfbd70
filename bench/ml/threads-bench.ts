/**
 * `npx tsx bench/ml/threads-bench.ts [--rows 1000000] [--forest-rows 100000] [--threads 1,2]`: wall-clock fit
 * times at 1 and 2 threads, ours and the reference taking turns in one run: the histogram GBDT (XGBoost's
 * defaults on both sides: 100 rounds, depth 6, learning rate 0.3, 256 bins, no sampling) against XGBoost
 * hist on rows × 28 binary data, and the random forest (100 trees) against scikit-learn's with n_jobs.
 * Prints times, ratios (ours ÷ theirs) and scores, and our fit's process CPU seconds (all threads): CPU well above
 * the 1-thread fit's at 2 threads means the threads slow each other (memory, a loaded machine), not that work is
 * serial. Not a test: the numbers depend on the machine's load.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { validateHyperparameters } from "../../src/ml/hyperparameters.js";
import { createEstimator } from "../../src/ml/models/factory.js";
import { Random } from "../../src/ml/random.js";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const ROWS = Number(arg("rows", "1000000"));
const FOREST_ROWS = Number(arg("forest-rows", "100000"));
const THREADS = arg("threads", "1,2").split(",").map(Number);

/** Binary data with an interaction and noise; the first 80% train, the rest test. */
function data(n: number, p: number, seed: number) {
  const rng = new Random(seed);
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) {
      const v = rng.normal();
      X[i * p + j] = v;
      if (j < 6) s += (j % 2 ? -0.6 : 0.8) * v;
    }
    s += X[i * p] * X[i * p + 1] + 0.8 * rng.normal();
    y[i] = s > 0 ? 1 : 0;
  }
  return { X, y, n, p };
}

const PY = `
import sys, time, numpy as np
kind, threads, xf, yf, n, p, ntrain = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
X = np.fromfile(xf, dtype=np.float64).reshape(n, p); y = np.fromfile(yf, dtype=np.float64)
Xt, yt, Xv, yv = X[:ntrain], y[:ntrain], X[ntrain:], y[ntrain:]
if kind == "gbdt":
    import xgboost as xgb
    m = xgb.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.3, tree_method="hist", max_bin=256, n_jobs=threads)
else:
    from sklearn.ensemble import RandomForestClassifier
    m = RandomForestClassifier(n_estimators=100, n_jobs=threads, random_state=0)
t = time.perf_counter(); m.fit(Xt, yt.astype(int)); dt = time.perf_counter() - t
print(dt, float((m.predict(Xv) == yv).mean()))
`;

function theirs(kind: string, threads: number, files: string[], d: ReturnType<typeof data>, ntrain: number) {
  const out = spawnSync(
    "/usr/bin/python3",
    ["-c", PY, kind, String(threads), ...files, String(d.n), String(d.p), String(ntrain)],
    {
      encoding: "utf8",
      // Passive OpenMP waits: spinning threads on a shared, loaded machine would measure the load, not the fit.
      env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: "PASSIVE" },
    },
  );
  if (out.status !== 0) throw new Error(out.stderr);
  const [time, score] = out.stdout.trim().split(/\s+/).map(Number);
  return { time, score };
}

function ours(kind: string, threads: number, d: ReturnType<typeof data>, ntrain: number) {
  const id = kind === "gbdt" ? "xgboost" : "random_forest";
  const params =
    kind === "gbdt"
      ? { nEstimators: 100, maxDepth: 6, learningRate: 0.3, subsample: 1, colsampleBytree: 1, threads }
      : { nEstimators: 100, threads };
  const est = createEstimator(id, "classification", validateHyperparameters(id, params), 2);
  const X = { data: d.X.subarray(0, ntrain * d.p), rows: ntrain, cols: d.p };
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  est.fit(X, d.y.subarray(0, ntrain), { rng: new Random(1) });
  const time = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1e6;
  const pred = est.predict({ data: d.X.subarray(ntrain * d.p), rows: d.n - ntrain, cols: d.p });
  let right = 0;
  for (let i = 0; i < pred.length; i++) right += +(pred[i] === d.y[ntrain + i]);
  return { time, cpu, score: right / pred.length };
}

const dir = mkdtempSync(join(tmpdir(), "threads-bench-"));
try {
  console.log(
    `load before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log("| model | rows | threads | ours s | our CPU s | theirs s | ratio | our acc | their acc |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const [kind, n, p] of [
    ["gbdt", ROWS, 28],
    ["forest", FOREST_ROWS, 8],
  ] as const) {
    const d = data(n, p, 42);
    const ntrain = Math.floor(n * 0.8);
    const files = [join(dir, `${kind}-X.bin`), join(dir, `${kind}-y.bin`)];
    writeFileSync(files[0], d.X);
    writeFileSync(files[1], d.y);
    for (const threads of THREADS) {
      const a = ours(kind, threads, d, ntrain);
      const b = theirs(kind, threads, files, d, ntrain);
      const row = [
        kind,
        n,
        threads,
        a.time.toFixed(2),
        a.cpu.toFixed(2),
        b.time.toFixed(2),
        (a.time / b.time).toFixed(2),
      ];
      console.log(`| ${row.join(" | ")} | ${a.score.toFixed(4)} | ${b.score.toFixed(4)} |`);
    }
  }
  console.log(
    `load after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
