/**
 * `npm run bench`: runs every benchmark in turn (each prints its own table with ratios against a reference
 * measured in the same run). `npm run bench -- ml` runs only the benchmarks whose path contains "ml".
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const BENCHMARKS = [
  "bench/ml/run.ts",
  "bench/stats/tests.ts",
  "bench/state/transitions.ts",
  "bench/cloud/control-plane.ts",
  "bench/bot/replies.ts",
  "bench/queue/round-trip.ts",
];

const filter = process.argv[2];
let failed = 0;
for (const path of BENCHMARKS.filter((p) => !filter || p.includes(filter))) {
  if (!existsSync(path)) {
    console.log(`(skipping ${path}: not written yet)`);
    continue;
  }
  console.log(`\n=== ${path}`);
  const run = spawnSync(process.execPath, ["--import", "tsx", path], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
