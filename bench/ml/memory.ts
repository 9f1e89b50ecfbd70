/**
 * `npx tsx bench/ml/memory.ts [--rows 1000000] [--model xgboost]`: peak resident memory of training a
 * histogram GBDT through trainModel on a rows × 20 numeric frame (+ target), compared with the raw float64
 * size of the data. Runs in a fresh child process and reads the kernel's high-water mark (VmHWM), so the
 * peak inside the synchronous fit is counted. Not a test.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FEATURES = 20;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function peakMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function child(rows: number, model: string): Promise<void> {
  const { Random } = await import("../../src/ml/random.js");
  const { trainModel } = await import("../../src/ml/index.js");
  const runtime = peakMb();
  const rng = new Random(7);
  const columns = Array.from({ length: FEATURES }, (_, j) => ({
    name: `x${j}`,
    type: "numeric" as const,
    values: Float64Array.from({ length: rows }, () => rng.normal()),
  }));
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) y[i] = columns[0].values[i] * 3 - columns[1].values[i] + rng.normal();
  const frame = { nRows: rows, columns: [...columns, { name: "y", type: "numeric" as const, values: y }] };
  const withData = peakMb();
  const t = performance.now();
  // Features named, as the worker does (the chat settles them): no profiling pass at training time.
  const features = columns.map((c) => c.name);
  const r = trainModel(frame, { modelType: model, task: "regression", target: "y", features });
  const seconds = (performance.now() - t) / 1000;
  const peak = peakMb();
  const raw = (rows * (FEATURES + 1) * 8) / 2 ** 20;
  console.log(
    JSON.stringify({
      rows,
      model,
      rawMb: raw,
      runtimeMb: runtime,
      withDataMb: withData,
      peakMb: peak,
      seconds,
      r2: r.metrics.r2,
    }),
  );
}

async function main(): Promise<void> {
  const rows = Number(arg("rows") ?? 1_000_000);
  const model = arg("model") ?? "xgboost";
  if (process.argv.includes("--child")) {
    await child(rows, model);
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, [
    "--import",
    "tsx",
    self,
    "--child",
    "--rows",
    String(rows),
    "--model",
    model,
  ]);
  const r = JSON.parse(out.toString()) as Record<string, number>;
  console.log(
    "| rows | model | raw float64 MB | runtime MB | peak RSS MB | peak / raw | (peak − runtime) / raw | (peak − runtime − data) / raw | fit s | R² |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  console.log(
    `| ${rows} | ${model} | ${r.rawMb.toFixed(0)} | ${r.runtimeMb.toFixed(0)} | ${r.peakMb.toFixed(0)} | ${(r.peakMb / r.rawMb).toFixed(2)} | ${((r.peakMb - r.runtimeMb) / r.rawMb).toFixed(2)} | ${((r.peakMb - r.withDataMb) / r.rawMb).toFixed(2)} | ${r.seconds.toFixed(1)} | ${r.r2.toFixed(4)} |`,
  );
}

await main();
