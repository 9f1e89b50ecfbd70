/**
 * `npx tsx bench/ml/auto.ts [--budget 1] [--seeds 42]`: auto mode against every single model with its
 * defaults on the shared datasets. For each split seed: the held-out score of auto (within the budget in
 * minutes) and of each default model on the same split, and auto's winner (a single candidate or an ensemble)
 * with its CV score. The budget is wall-clock time, so a loaded machine searches less: the load average is
 * printed before and after. Not a test.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { MODEL_REGISTRY, readTable, trainModel } from "../../src/ml/index.js";
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

async function main(): Promise<void> {
  const budget = Number(arg("budget") ?? 1);
  const seeds = (arg("seeds") ?? "42").split(",").map(Number);
  const load = () =>
    loadavg()
      .map((v) => v.toFixed(1))
      .join(" ");
  console.log(`load average ${load()}`);
  console.log(
    "| dataset | seed | auto held-out | auto winner (CV mean, folds) | auto s | best default held-out | best default model | auto ≥ best? |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [name, target, task] of DATASETS) {
    const frame = await readTable(readFileSync(new URL(`../../test/fixtures/${name}.csv`, import.meta.url)), {
      fileName: `${name}.csv`,
    });
    const score = (r: ReturnType<typeof trainModel>) =>
      (task === "regression" ? r.metrics.r2 : r.metrics.accuracy) as number;
    for (const seed of seeds) {
      let best = Number.NEGATIVE_INFINITY;
      let bestModel = "";
      for (const spec of MODEL_REGISTRY) {
        if (spec.id === "auto" || !supportsTask(spec.id, task as Task)) continue;
        const s = score(
          trainModel(frame, { modelType: spec.id, task: task as Task, target, features: [], seed }),
        );
        if (s > best) [best, bestModel] = [s, spec.id];
      }
      const r = trainModel(frame, {
        modelType: "auto",
        task: task as Task,
        target,
        features: [],
        seed,
        hyperparameters: { timeBudgetMinutes: budget },
      });
      const w = r.leaderboard?.find((e) => e.winner);
      const a = score(r);
      console.log(
        `| ${name} | ${seed} | ${a.toFixed(4)} | ${w?.label} (${w?.cvMean.toFixed(4)}, ${w?.folds}) | ${r.fitSeconds.toFixed(1)} | ${best.toFixed(4)} | ${bestModel} | ${a >= best - 1e-12 ? "yes" : "no"} |`,
      );
    }
  }
  console.log(`load average ${load()}`);
}

await main();
