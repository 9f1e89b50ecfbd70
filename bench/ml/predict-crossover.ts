/**
 * Where parallel prediction pays (PARALLEL_MIN_VISITS in src/ml/threads/predict-parallel.ts): a 100-tree
 * random forest and a 100-round booster fitted on issue 12's binary-28 shape predict tables of growing
 * size on 1 thread and on 2 threads (best of 5 turns each, taking turns); prints rows × trees, wall times,
 * the speed-up, and the process's CPU time on both (what handing rows to a worker adds, which a loaded
 * machine still shows when it has no free core for a speed-up). Run: `npx tsx bench/ml/predict-crossover.ts`.
 */
import { loadavg } from "node:os";
import { createEstimator } from "../../src/ml/models/factory.js";
import type { BinMapper } from "../../src/ml/models/hist/binning.js";
import { matrixTable } from "../../src/ml/models/hist/columns.js";
import type { ForestArrays } from "../../src/ml/models/hist/forest.js";
import { Random } from "../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../src/ml/registry.js";
import { accumulateTrees, type TreeWalk } from "../../src/ml/threads/predict-parallel.js";
import { shape } from "./shapes.js";

const d = await shape("binary-28", 0.02);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  "| model | nodes | rows | rows × trees | 1 thread ms | 2 threads ms | speed-up | CPU ms 1 thread | CPU ms 2 threads |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const [model, walk] of [
  ["random_forest", "raw"],
  ["xgboost", "leveled"],
] as const) {
  const spec = MODEL_REGISTRY.find((s) => s.id === model);
  const est = createEstimator(model, d.task, spec?.params.parse({ threads: 1 }) as never, d.nClasses);
  est.fit(d.Xtrain, d.ytrain, { rng: new Random(43) });
  const f = est.getFitted() as { forest: ForestArrays; mapper: BinMapper };
  const binned: TreeWalk = f.forest.feature.length >= 200_000 ? "binned" : walk;
  for (const rows of [500, 1000, 2000, 4000, 8000, 16000, 32000]) {
    const cols = d.Xtest.cols;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = i % d.Xtest.rows;
      data.set(d.Xtest.data.subarray(r * cols, (r + 1) * cols), i * cols);
    }
    const table = matrixTable({ data, rows, cols });
    const best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    const cpu = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    for (let turn = 0; turn < 10; turn++) {
      const threads = 1 + (turn % 2);
      const out = new Float64Array(rows * f.forest.nOut);
      const t = performance.now();
      const c = process.cpuUsage();
      accumulateTrees(table, f.forest, f.mapper, binned, 1, out, threads);
      const used = process.cpuUsage(c);
      best[threads - 1] = Math.min(best[threads - 1], performance.now() - t);
      cpu[threads - 1] = Math.min(cpu[threads - 1], (used.user + used.system) / 1000);
    }
    console.log(
      `| ${model} (${binned}) | ${f.forest.feature.length} | ${rows} | ${rows * f.forest.nTrees} | ${best[0].toFixed(1)} | ${best[1].toFixed(1)} | ${(best[0] / best[1]).toFixed(2)} | ${cpu[0].toFixed(1)} | ${cpu[1].toFixed(1)} |`,
    );
  }
}
