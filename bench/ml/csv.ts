/**
 * `npx tsx bench/ml/csv.ts [--rows 100000,1000000] [--mixed 150000]` (also part of `npm run bench:ml` with
 * --csv): reading CSV into typed columns, ours (readTable) against pandas.read_csv, taking turns three times
 * on each seeded file, best CPU seconds of each. Files: "floats" (20 full-precision float columns, a 5-level
 * text column and a 0/1 target) at each --rows size, and "mixed" (issue 12's customer table: ids,
 * integers, money, categoricals, dates, 10% missing; bench/ml/shapes.ts). Speed = pandas' time ÷ ours
 * (above 1: we read faster). Needs python3-pandas (`apt-get install -y python3-pandas`). Not a test.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { readTable } from "../../src/ml/index.js";
import { Random } from "../../src/ml/random.js";
import { customersCsv } from "./shapes.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function floatsCsv(n: number): string {
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
  return `${lines.join("\n")}\n`;
}

async function ours(bytes: Uint8Array): Promise<number> {
  const c = process.cpuUsage();
  await readTable(bytes, {
    fileName: "bench.csv",
    limits: { maxBytes: 2 ** 31, maxRows: 1e7, maxCells: 1e9 },
  });
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1e6;
}

/** pandas' CPU seconds, or NaN when pandas is not installed. */
function pandas(path: string): number {
  const script = [
    "import sys, time, pandas as pd",
    "c = time.process_time(); pd.read_csv(sys.argv[1]); print(time.process_time() - c)",
  ].join("\n");
  try {
    return Number(
      execFileSync("/usr/bin/python3", ["-c", script, path], { stdio: "pipe" }).toString().trim(),
    );
  } catch {
    return Number.NaN;
  }
}

export async function runCsv(rows: number[], mixed: number[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "csv-bench-"));
  const files = [
    ...rows.map((n) => ({ kind: "floats", n, make: () => floatsCsv(n) })),
    ...mixed.map((n) => ({ kind: "mixed", n, make: () => customersCsv(n) })),
  ];
  try {
    console.log(
      `\nCSV read, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    console.log(
      "| file | rows | MB | ours s (CPU) | pandas s (CPU) | speed vs pandas | ours rows/s | pandas rows/s |",
    );
    console.log("|---|---|---|---|---|---|---|---|");
    for (const { kind, n, make } of files) {
      const path = join(dir, `${kind}-${n}.csv`);
      writeFileSync(path, make());
      const bytes = readFileSync(path);
      await ours(bytes.subarray(0, Math.min(bytes.length, 200_000))).catch(() => 0); // JIT warm-up
      let a = Number.POSITIVE_INFINITY;
      let b = Number.POSITIVE_INFINITY;
      for (let r = 0; r < 3; r++) {
        a = Math.min(a, await ours(bytes));
        b = Math.min(b, pandas(path)); // NaN (no pandas) stays NaN
      }
      console.log(
        `| ${kind} | ${n} | ${(bytes.length / 1e6).toFixed(0)} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(b / a).toFixed(2)} | ${Math.round(n / a)} | ${Math.round(n / b)} |`,
      );
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("csv.ts")) {
  const list = (s: string) => s.split(",").filter(Boolean).map(Number);
  await runCsv(list(arg("rows") ?? "100000,1000000"), list(arg("mixed") ?? "150000"));
}
