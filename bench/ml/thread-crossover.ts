/**
 * `npx tsx bench/ml/thread-crossover.ts <shape> [scale] [pairs]`: whether a GBDT fit of a shape (shapes.ts;
 * 100 rounds, depth 6, learning rate 0.3) gains from a second thread, to confirm fitUsesWorkers' rule
 * (models/hist/threads.ts) on a quiet machine. Each pair runs, in fresh processes taking turns, one fit at
 * 1 thread and one at 2 threads with the workers forced on (the default share size given: the same model);
 * prints wall and process CPU seconds, the median ratio 2 threads ÷ 1, the load average, and whether the
 * rule uses the workers. Not a test: the numbers depend on the load (on a busy Linux machine, as root,
 * `chrt -f 10 npx tsx …` keeps other processes off the cores meanwhile).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { loadavg } from "node:os";
import { createEstimator } from "../../src/ml/models/factory.js";
import { rowStride } from "../../src/ml/models/hist/histogram.js";
import { fitUsesWorkers, parallelMinRows } from "../../src/ml/models/hist/threads.js";
import { Random } from "../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../src/ml/registry.js";
import { type ShapeName, shape } from "./shapes.js";

const [name, scaleArg = "1", pairsArg = "3", child] = process.argv.slice(2);
const scale = Number(scaleArg);

/** One fit in this process: prints "wall cpu hash" (after a 2000-row warm-up). */
async function fitOnce(threads: number): Promise<void> {
  const d = await shape(name as ShapeName, scale);
  const spec = MODEL_REGISTRY.find((s) => s.id === "xgboost");
  if (!spec) throw new Error("no xgboost model");
  const raw = { learningRate: 0.3, subsample: 1, colsampleBytree: 1, threads };
  const params = { ...(spec.params.parse(raw) as object) };
  // The default share size, given: the workers at any size, the same shares (so the same model).
  const forced = threads > 1 ? { parallelMinRows: parallelMinRows(rowStride(d.Xtrain.cols)) } : {};
  const make = () => {
    const est = createEstimator("xgboost", d.task, params, d.nClasses);
    Object.assign((est as unknown as { params: object }).params, forced);
    return est;
  };
  const warm = Math.min(d.Xtrain.rows, 2000);
  const head = { data: d.Xtrain.data.subarray(0, warm * d.Xtrain.cols), rows: warm, cols: d.Xtrain.cols };
  make().fit(head, d.ytrain.subarray(0, warm), { rng: new Random(43) });
  const est = make();
  const t = performance.now();
  const c = process.cpuUsage();
  est.fit(d.Xtrain, d.ytrain, { rng: new Random(43) });
  const u = process.cpuUsage(c);
  const json = JSON.stringify(est.getFitted(), (_k, v) =>
    ArrayBuffer.isView(v) ? Array.from(v as never) : v,
  );
  const hash = createHash("sha256").update(json).digest("hex").slice(0, 12);
  console.log(`${(performance.now() - t) / 1000} ${(u.user + u.system) / 1e6} ${hash}`);
  if (threads === 1) {
    const uses = fitUsesWorkers(d.Xtrain.rows, rowStride(d.Xtrain.cols));
    console.error(`${name} ${d.Xtrain.rows} × ${d.Xtrain.cols}: the rule uses workers: ${uses}`);
  }
}

function spawnFit(threads: number): { wall: number; cpu: number; hash: string } {
  const args = ["--import", "tsx", process.argv[1], name, scaleArg, "1", String(threads)];
  const out = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const [wall, cpu, hash] = out.stdout.trim().split(" ");
  return { wall: Number(wall), cpu: Number(cpu), hash };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (child) await fitOnce(Number(child));
else {
  const ratios: number[] = [];
  for (let pair = 0; pair < Number(pairsArg); pair++) {
    const one = spawnFit(1);
    const two = spawnFit(2);
    ratios.push(two.wall / one.wall);
    console.log(
      `pair ${pair + 1}: 1 thread ${one.wall.toFixed(3)} s (CPU ${one.cpu.toFixed(2)}), 2 threads ` +
        `${two.wall.toFixed(3)} s (CPU ${two.cpu.toFixed(2)}), ratio ${(two.wall / one.wall).toFixed(3)}, ` +
        `load ${loadavg()[0].toFixed(2)}, models ${one.hash === two.hash ? "equal" : `DIFFER ${one.hash} ${two.hash}`}`,
    );
  }
  console.log(`${name} scale ${scale}: median 2 threads ÷ 1 = ${median(ratios).toFixed(3)}`);
}
process.exit(0);
