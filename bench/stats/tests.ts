/**
 * `npx tsx bench/stats/tests.ts [--rows 10000,100000,1000000]`: each /stats test, ours against SciPy
 * (Debian's python3-scipy via /usr/bin/python3) on the same data in the same run: seeded samples written as
 * raw float64 files that both sides read. Best of three, CPU seconds; ratio = ours ÷ SciPy (below 1: faster).
 * Not a test.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Random } from "../../src/ml/random.js";
import {
  chiSquareIndependence,
  dagostinoPearson,
  kruskalWallis,
  linearRegression,
  mannWhitneyU,
  oneWayAnova,
  pairedTTest,
  pearson,
  shapiroWilk,
  spearman,
  welchTTest,
} from "../../src/ml/stats/index.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** x: normal; y: x plus noise; g: three groups (0, 1, 2) as numbers. */
function data(n: number) {
  const rng = new Random(14);
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const y = Float64Array.from(x, (v) => 0.5 * v + rng.normal());
  const g = Float64Array.from({ length: n }, () => rng.int(3));
  return { x, y, g };
}

const CASES: Record<string, { ours: (d: ReturnType<typeof data>) => unknown; scipy: string }> = {
  welch: { ours: ({ x, y }) => welchTTest(x, y), scipy: "stats.ttest_ind(x, y, equal_var=False)" },
  paired: { ours: ({ x, y }) => pairedTTest(x, y), scipy: "stats.ttest_rel(x, y)" },
  mannWhitney: { ours: ({ x, y }) => mannWhitneyU(x, y), scipy: "stats.mannwhitneyu(x, y)" },
  anova: {
    ours: ({ x, g }) => oneWayAnova(split(x, g)),
    scipy: "stats.f_oneway(*[x[g == k] for k in range(3)])",
  },
  kruskal: {
    ours: ({ x, g }) => kruskalWallis(split(x, g)),
    scipy: "stats.kruskal(*[x[g == k] for k in range(3)])",
  },
  chiSquare: {
    ours: ({ g, y }) => chiSquareIndependence(table(g, y)),
    scipy: "stats.chi2_contingency(np.histogram2d(g, y > 0, bins=[3, 2])[0])",
  },
  shapiro: { ours: ({ x }) => shapiroWilk(x.subarray(0, 5000)), scipy: "stats.shapiro(x[:5000])" },
  dagostino: { ours: ({ x }) => dagostinoPearson(x), scipy: "stats.normaltest(x)" },
  regression: { ours: ({ x, y }) => linearRegression(x, y), scipy: "stats.linregress(x, y)" },
  pearson: { ours: ({ x, y }) => pearson(x, y), scipy: "stats.pearsonr(x, y)" },
  spearman: { ours: ({ x, y }) => spearman(x, y), scipy: "stats.spearmanr(x, y)" },
};

function split(x: Float64Array, g: Float64Array): Float64Array[] {
  return [0, 1, 2].map((k) => x.filter((_, i) => g[i] === k));
}

function table(g: Float64Array, y: Float64Array): number[][] {
  const t = [0, 1, 2].map(() => [0, 0]);
  g.forEach((k, i) => {
    t[k][y[i] > 0 ? 1 : 0]++;
  });
  return t;
}

function ours(run: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const c = process.cpuUsage();
    run();
    const u = process.cpuUsage(c);
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  return best;
}

function scipy(dir: string, calls: Record<string, string>): Record<string, number> {
  const script = [
    "import json, sys, time, warnings, numpy as np",
    "from scipy import stats",
    "warnings.simplefilter('ignore')",
    "d = sys.argv[1]",
    "x, y, g = (np.fromfile(f'{d}/{k}.f64', dtype='<f8') for k in 'xyg')",
    "out = {}",
    `for name, call in json.loads(sys.argv[2]).items():`,
    "    best = 1e9",
    "    for _ in range(3):",
    "        c = time.process_time(); eval(call); best = min(best, time.process_time() - c)",
    "    out[name] = best",
    "print(json.dumps(out))",
  ].join("\n");
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, dir, JSON.stringify(calls)]).toString());
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "stats-bench-"));
  try {
    console.log("| test | rows | ours s (CPU) | SciPy s (CPU) | ratio |");
    console.log("|---|---|---|---|---|");
    for (const n of (arg("rows") ?? "10000,100000,1000000").split(",").map(Number)) {
      const d = data(n);
      for (const [k, v] of Object.entries(d)) writeFileSync(join(dir, `${k}.f64`), Buffer.from(v.buffer));
      const reference = scipy(dir, Object.fromEntries(Object.entries(CASES).map(([k, c]) => [k, c.scipy])));
      for (const [name, c] of Object.entries(CASES)) {
        const t = ours(() => c.ours(d));
        const r = reference[name];
        console.log(`| ${name} | ${n} | ${t.toFixed(4)} | ${r.toFixed(4)} | ${(t / r).toFixed(2)} |`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
