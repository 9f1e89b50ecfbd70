/**
 * `npx tsx bench/ml/auto.ts [--budget 1] [--splits 10] [--datasets iris,wine]`: auto mode against every
 * single model with its defaults on the shared datasets, over several seeded hold-out splits (seed s makes
 * split s, for auto and every default model alike), since one small test split measures noise as much as
 * quality (one iris row is 0.033). Per dataset: every default model's held-out score (mean ± sd over the
 * splits), auto's, the best default by mean (the goal's target: "as good as the best single default model"),
 * auto − best default by mean (paired per split, mean ± its standard error), the best default chosen without
 * looking at the split it is scored on (for each split, the default with the best mean over the other splits)
 * and auto − that, the best default chosen per split in hindsight (a bound no honest method reaches), and
 * auto's time against the budget (wall and CPU seconds: the budget is wall-clock, so a loaded machine
 * searches less; the load average is printed before and after). The best by mean is the largest of a dozen
 * noisy means, so it flatters itself; the best of the other splits is what a fixed choice of default model
 * gets without that hindsight. Reads the originals in ../shared/data when present, else the test fixtures (identical
 * copies). Not a test.
 */
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { MODEL_REGISTRY, readTable, type TrainResult, trainModel } from "../../src/ml/index.js";
import { supportsTask } from "../../src/ml/models/factory.js";
import type { Task } from "../../src/ml/types.js";

const DATASETS = [
  ["diabetes", "progression", "regression"],
  ["breast_cancer", "diagnosis", "classification"],
  ["wine", "cultivar", "classification"],
  ["iris", "species", "classification"],
  ["penguins", "Species", "classification"],
] as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: number[]) => {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1));
};
const pm = (a: number[]) => `${mean(a).toFixed(4)} ± ${sd(a).toFixed(4)}`;
/** Mean ± its standard error (for paired differences). */
const se = (a: number[]) =>
  `${mean(a) >= 0 ? "+" : ""}${mean(a).toFixed(4)} ± ${(sd(a) / Math.sqrt(a.length)).toFixed(4)}`;

function dataPath(name: string): URL {
  const shared = new URL(`../../../shared/data/${name}.csv`, import.meta.url);
  return existsSync(shared) ? shared : new URL(`../../test/fixtures/${name}.csv`, import.meta.url);
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function main(): Promise<void> {
  const budget = Number(arg("budget") ?? 1);
  const splits = Array.from({ length: Number(arg("splits") ?? 10) }, (_, i) => i + 1);
  const only = arg("datasets")?.split(",");
  const load = () =>
    loadavg()
      .map((v) => v.toFixed(1))
      .join(" ");
  console.log(`load average ${load()}; budget ${budget} min; ${splits.length} splits (seeds 1..)`);
  const summary: string[] = [];
  for (const [name, target, task] of DATASETS) {
    if (only && !only.includes(name)) continue;
    const frame = await readTable(readFileSync(dataPath(name)), { fileName: `${name}.csv` });
    const train = (modelType: string, seed: number, hyperparameters?: Record<string, unknown>) =>
      trainModel(frame, { modelType, task: task as Task, target, features: [], seed, hyperparameters });
    const score = (r: TrainResult) => (task === "regression" ? r.metrics.r2 : r.metrics.accuracy) as number;
    const defaults = new Map<string, number[]>();
    const autoScores: number[] = [];
    const walls: number[] = [];
    const cpus: number[] = [];
    const winners: string[] = [];
    for (const seed of splits) {
      for (const spec of MODEL_REGISTRY) {
        if (spec.id === "auto" || !supportsTask(spec.id, task as Task)) continue;
        defaults.set(spec.id, [...(defaults.get(spec.id) ?? []), score(train(spec.id, seed))]);
      }
      const cpu = cpuSeconds();
      const r = train("auto", seed, { timeBudgetMinutes: budget });
      cpus.push(cpuSeconds() - cpu);
      walls.push(r.fitSeconds);
      autoScores.push(score(r));
      winners.push(r.leaderboard?.find((e) => e.winner)?.label ?? "?");
    }
    const ranked = [...defaults].sort((a, b) => mean(b[1]) - mean(a[1]));
    const [bestId, best] = ranked[0];
    const hindsight = splits.map((_, i) => Math.max(...[...defaults.values()].map((s) => s[i])));
    const diff = autoScores.map((s, i) => s - best[i]);
    // For each split, the default with the best mean over the other splits, scored on this one.
    const others = splits.map((_, i) => {
      const rest = (s: number[]) => mean(s.filter((_, j) => j !== i));
      const pick = [...defaults].sort((a, b) => rest(b[1]) - rest(a[1]))[0][1];
      return splits.length > 1 ? pick[i] : best[i];
    });
    const fair = autoScores.map((s, i) => s - others[i]);
    console.log(
      `\n### ${name} (${task === "regression" ? "R²" : "accuracy"}, held-out, ${splits.length} splits)`,
    );
    console.log("| model | mean ± sd |\n|---|---|");
    for (const [id, s] of ranked) console.log(`| ${id} | ${pm(s)} |`);
    console.log(`| **auto** | ${pm(autoScores)} |`);
    console.log(`auto winners: ${winners.join("; ")}`);
    // Per split, for pairing two runs (before and after a change) split by split.
    console.log(`auto per split: ${autoScores.map((v) => v.toFixed(4)).join(" ")}`);
    console.log(`${bestId} per split: ${best.map((v) => v.toFixed(4)).join(" ")}`);
    summary.push(
      `| ${name} | ${pm(autoScores)} | ${pm(best)} (${bestId}) | ${se(diff)} | ${mean(others).toFixed(4)} | ${se(fair)} | ${mean(hindsight).toFixed(4)} | ${Math.max(...walls).toFixed(1)} | ${Math.max(...cpus).toFixed(1)} |`,
    );
  }
  console.log(
    "\n| dataset | auto | best default by mean | auto − best (paired, ± SE) | best default of the other splits | auto − that (± SE) | best per split in hindsight | auto wall s (max) | auto CPU s (max) |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const line of summary) console.log(line);
  console.log(`load average ${load()}`);
}

await main();
