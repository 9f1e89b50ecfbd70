/**
 * `npx tsx bench/ml/csv.ts [--rows 100000,1000000]`: reading CSV into typed columns, ours (readTable) against
 * pandas.read_csv in the same run, on seeded synthetic files (20 full-precision float columns, a 5-level
 * text column and a 0/1 target). Best of three, CPU seconds; throughput in rows per second. Not a test.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTable } from "../../src/ml/index.js";
import { Random } from "../../src/ml/random.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function writeCsv(path: string, n: number): void {
  const rng = new Random(5);
  const p = 20;
  const groups = ["alpha", "beta", "gamma", "delta", "epsilon"];
  const lines = [[...Array.from({ length: p }, (_, j) => `x${j}`), "group", "y"].join(",")];
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    for (let j = 0; j < p; j++) row.push(String(rng.normal()));
    row.push(groups[rng.int(5)], String(rng.int(2)));
    lines.push(row.join(","));
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

async function ours(path: string): Promise<number> {
  const bytes = readFileSync(path);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const c = process.cpuUsage();
    await readTable(bytes, { fileName: "bench.csv", limits: { maxBytes: 2 ** 31, maxRows: 1e7 } });
    const u = process.cpuUsage(c);
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  return best;
}

function pandas(path: string): number {
  const script = [
    "import sys, time, pandas as pd",
    "best = 1e9",
    "for _ in range(3):",
    "    c = time.process_time(); pd.read_csv(sys.argv[1]); best = min(best, time.process_time() - c)",
    "print(best)",
  ].join("\n");
  return Number(execFileSync("/usr/bin/python3", ["-c", script, path]).toString().trim());
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "csv-bench-"));
  try {
    console.log("| rows | file MB | ours s (CPU) | pandas s (CPU) | ratio | ours rows/s | pandas rows/s |");
    console.log("|---|---|---|---|---|---|---|");
    for (const n of (arg("rows") ?? "100000,1000000").split(",").map(Number)) {
      const path = join(dir, `rows-${n}.csv`);
      writeCsv(path, n);
      const mb = readFileSync(path).length / 1e6;
      const a = await ours(path);
      const b = pandas(path);
      console.log(
        `| ${n} | ${mb.toFixed(0)} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(a / b).toFixed(2)} | ${Math.round(n / a)} | ${Math.round(n / b)} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
