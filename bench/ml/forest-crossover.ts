/**
 * `npx tsx bench/ml/forest-crossover.ts <rows>x<cols> [pairs] [trees]`: whether a random forest (classification,
 * defaults) on a synthetic table gains from a second thread, to confirm forestThreads' rule
 * (PARALLEL_MIN_WORK, models/random-forest.ts) on a quiet machine. Each pair runs, in fresh processes taking
 * turns, one process at 1 thread and one at 2 threads with the workers forced on (parallelMinWork 0); each
 * process fits once to warm up, then 5 times, and prints its median wall and process CPU seconds. Prints the
 * median ratio 2 threads ÷ 1, the fit's expected work and whether the rule uses the workers. Not a test: the
 * numbers depend on the load.
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import {
  type ForestParams,
  forestThreads,
  forestWork,
  RandomForestClassifier,
} from "../../src/ml/models/random-forest.js";
import { Random } from "../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../src/ml/registry.js";

const [size = "800x500", pairsArg = "4", treesArg = "100", child] = process.argv.slice(2);
const [rows, cols] = size.split("x").map(Number);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The registry's defaults (as a training job parses them), with the trees and threads; workers forced at 2+. */
function params(threads: number): ForestParams {
  const spec = MODEL_REGISTRY.find((m) => m.id === "random_forest");
  if (!spec) throw new Error("no random_forest model");
  const parsed = spec.params.parse({ nEstimators: Number(treesArg), threads }) as unknown as ForestParams;
  return { ...parsed, parallelMinWork: threads > 1 ? 0 : undefined };
}

/** Normal features; the class from the first three (an interaction) and noise. */
function table() {
  const rng = new Random(7);
  const data = Float64Array.from({ length: rows * cols }, () => rng.normal());
  const y = Float64Array.from({ length: rows }, (_, i) => {
    const at = i * cols;
    return data[at] + data[at + (1 % cols)] * data[at + (2 % cols)] + 0.5 * rng.normal() > 0 ? 1 : 0;
  });
  return { X: { data, rows, cols }, y };
}

/** Prints "wall cpu" medians of 5 fits after a warm-up fit. */
function fitHere(threads: number): void {
  const { X, y } = table();
  const timed = () => {
    const est = new RandomForestClassifier(params(threads));
    est.nClasses = 2;
    const t = performance.now();
    const c = process.cpuUsage();
    est.fit(X, y, { rng: new Random(43) });
    const u = process.cpuUsage(c);
    return [(performance.now() - t) / 1000, (u.user + u.system) / 1e6];
  };
  timed();
  const runs = Array.from({ length: 5 }, timed);
  console.log(`${median(runs.map((r) => r[0]))} ${median(runs.map((r) => r[1]))}`);
}

function spawnFit(threads: number): { wall: number; cpu: number } {
  const args = ["--import", "tsx", process.argv[1], size, pairsArg, treesArg, String(threads)];
  const out = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const [wall, cpu] = out.stdout.trim().split(" ").map(Number);
  return { wall, cpu };
}

if (child) fitHere(Number(child));
else {
  const pairs = Array.from({ length: Number(pairsArg) }, () => [spawnFit(1), spawnFit(2)]);
  pairs.forEach(([one, two], k) => {
    const seconds = (r: { wall: number; cpu: number }) => `${r.wall.toFixed(4)} s (CPU ${r.cpu.toFixed(4)})`;
    console.log(`pair ${k + 1}: 1 thread ${seconds(one)}, forced 2 threads ${seconds(two)}`);
  });
  const ratios = pairs.map(([one, two]) => two.wall / one.wall);
  console.log(`load ${loadavg()[0].toFixed(2)}`);
  const fit = { n: rows, p: cols, nClasses: 2, exact: cols <= 4 };
  const work = forestWork(fit, params(2));
  const rule = forestThreads(fit, { ...params(2), parallelMinWork: undefined });
  console.log(
    `${size}, ${treesArg} trees: median 2 threads ÷ 1 = ${median(ratios).toFixed(3)}; work ${work}, ` +
      `the rule uses ${rule} thread(s)`,
  );
}
process.exit(0);
