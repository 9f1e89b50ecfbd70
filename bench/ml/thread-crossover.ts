/**
 * `npx tsx bench/ml/thread-crossover.ts <shape> [scale] [pairs]`: whether a GBDT fit of a shape (shapes.ts;
 * 100 rounds, depth 6, learning rate 0.3) gains from a second thread, to confirm fitUsesWorkers' rule
 * (models/hist/threads.ts) on a quiet machine. Each pair runs, in fresh processes taking turns, one fit at
 * 1 thread and one at 2 threads with the workers forced on (the default share size given: the same model);
 * prints wall and process CPU seconds, the median ratio 2 threads ÷ 1, the load average, and whether the
 * rule uses the workers. Not a test: the numbers depend on the load (on a busy Linux machine, as root,
 * `chrt -f 10 npx tsx …` keeps other processes off the cores meanwhile).
 *
 * With CROSSOVER_BREAKDOWN=1 each fit also prints (to stderr) where its time went: per kind of wave
 * (NodeThreads' units: BUILD, PARTITION, …) the runs, how many woke the workers, their work (bin updates) and
 * wall time, and for the runs with workers this thread's own part ("here") against its wait for the workers
 * after it (wake-up latency and the last unit's tail; a BUILD run also holds a round's gradients, at the root,
 * and the last partition's merges: threads.ts, fusedBuild and mergesFirst); the time before the first wave (binning, the space)
 * and outside the waves; the process's minor page faults (first touches of fresh memory: about 12 µs each
 * on the 2-core VM, 2026-12-07, against under 1 µs on bare metal).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { loadavg } from "node:os";
import { createEstimator } from "../../src/ml/models/factory.js";
import { rowStride } from "../../src/ml/models/hist/histogram.js";
import { fitUsesWorkers, NodeThreads, parallelMinRows } from "../../src/ml/models/hist/threads.js";
import { Random } from "../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../src/ml/registry.js";
import { Crew } from "../../src/ml/threads/pool.js";
import { type ShapeName, shape } from "./shapes.js";

const [name, scaleArg = "1", pairsArg = "3", child] = process.argv.slice(2);
const scale = Number(scaleArg);

/** NodeThreads' unit kinds, by their code (threads.ts: BUILD = 0, …). */
const KINDS = [
  "BUILD",
  "PARTITION",
  "GRADIENTS",
  "ADD",
  "MERGE",
  "SUBTRACT",
  "SCAN",
  "REDUCE",
  "SOFTMAX",
  "MARK",
];

interface KindStats {
  runs: number;
  woke: number;
  work: number;
  ms: number;
  hereMs: number;
  waitMs: number;
}

/**
 * Wraps NodeThreads' run (private: the bench reaches it by name) and Crew's runAll to time each wave, until
 * `start` is called nothing is counted (the warm-up fit). Returns start and report.
 */
function probeWaves(): { start: () => void; report: (fitMs: number) => string } {
  const stats = new Map<string, KindStats>();
  let on = false;
  let current: KindStats | null = null;
  let fitStart = 0;
  let firstRun = 0;
  let faults = 0;
  const threads = NodeThreads.prototype as unknown as { run: (args: number[], work: number) => void };
  const run = threads.run;
  threads.run = function (this: unknown, args: number[], work: number) {
    const t = performance.now();
    const kind = KINDS[args[0]] ?? String(args[0]);
    const s = stats.get(kind) ?? { runs: 0, woke: 0, work: 0, ms: 0, hereMs: 0, waitMs: 0 };
    stats.set(kind, s);
    current = on ? s : null;
    run.call(this, args, work);
    current = null;
    if (!on) return;
    if (firstRun === 0) firstRun = t;
    s.runs++;
    s.work += work;
    s.ms += performance.now() - t;
  };
  const crew = Crew.prototype;
  const runAll = crew.runAll;
  crew.runAll = function (this: Crew, argsOf, here) {
    const t = performance.now();
    let t1 = t;
    runAll.call(this, argsOf, () => {
      here();
      t1 = performance.now();
    });
    const s = current;
    if (!s) return;
    s.woke++;
    s.hereMs += t1 - t;
    s.waitMs += performance.now() - t1;
  };
  return {
    start: () => {
      on = true;
      fitStart = performance.now();
      faults = process.resourceUsage().minorPageFault;
    },
    report: (fitMs) => {
      const lines = [];
      let inWaves = 0;
      for (const [k, s] of stats) {
        if (s.runs === 0) continue;
        inWaves += s.ms;
        lines.push(
          `  ${k.padEnd(9)} runs ${String(s.runs).padStart(5)}, woke ${String(s.woke).padStart(5)}, ` +
            `work/run ${(s.work / s.runs / 1e3).toFixed(0).padStart(6)}k, ${s.ms.toFixed(1).padStart(7)} ms` +
            (s.woke > 0 ? ` (woken: here ${s.hereMs.toFixed(1)} ms, wait ${s.waitMs.toFixed(1)} ms)` : ""),
        );
      }
      const before = firstRun > 0 ? firstRun - fitStart : fitMs;
      lines.push(
        `  fit ${fitMs.toFixed(0)} ms: before the first wave ${before.toFixed(0)} ms, in waves ${inWaves.toFixed(0)} ms, ` +
          `other ${(fitMs - before - inWaves).toFixed(0)} ms; minor page faults ${process.resourceUsage().minorPageFault - faults}`,
      );
      return lines.join("\n");
    },
  };
}

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
  // Installed before the warm-up, so the fit meets the wrapped functions there first.
  const probe = process.env.CROSSOVER_BREAKDOWN ? probeWaves() : null;
  const warm = Math.min(d.Xtrain.rows, 2000);
  const head = { data: d.Xtrain.data.subarray(0, warm * d.Xtrain.cols), rows: warm, cols: d.Xtrain.cols };
  make().fit(head, d.ytrain.subarray(0, warm), { rng: new Random(43) });
  const est = make();
  probe?.start();
  const t = performance.now();
  const c = process.cpuUsage();
  est.fit(d.Xtrain, d.ytrain, { rng: new Random(43) });
  const u = process.cpuUsage(c);
  if (probe)
    console.error(`${threads} thread${threads > 1 ? "s" : ""}:\n${probe.report(performance.now() - t)}`);
  const json = JSON.stringify(est.getFitted(), (_k, v) =>
    ArrayBuffer.isView(v) ? Array.from(v as never) : v,
  );
  const hash = createHash("sha256").update(json).digest("hex").slice(0, 12);
  console.log(`${(performance.now() - t) / 1000} ${(u.user + u.system) / 1e6} ${hash}`);
  if (threads === 1) {
    // One output (regression, binary) is scored through leaf marks on the threads (marksOnThreads).
    const marked = d.task === "regression" || d.nClasses === 2;
    const uses = fitUsesWorkers(d.Xtrain.rows, rowStride(d.Xtrain.cols), marked);
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
