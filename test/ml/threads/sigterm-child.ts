/**
 * A training process for sigterm.test.ts: writes a CSV, fits a boosted model on 2 threads in the training
 * thread (fit-thread.ts, as the worker does), prints "training" at the first round, and answers SIGTERM as
 * run-job.ts does (exit 143). The fit is sized to run far longer than the test.
 */
import { writeFileSync } from "node:fs";
import { fitInThread } from "../../../src/worker/fit-thread.js";

const [csvPath, modelType] = process.argv.slice(2);
const rows = ["a,b,c,y"];
let x = 12345;
const next = () => {
  x = (x * 1103515245 + 12345) % 2147483648;
  return x / 2147483648;
};
for (let i = 0; i < 60_000; i++) {
  const a = next();
  const b = next();
  rows.push(`${a},${b},${next()},${a * 3 - b + next()}`);
}
writeFileSync(csvPath, rows.join("\n"));

process.once("SIGTERM", () => process.exit(143));
let announced = false;
void fitInThread(
  csvPath,
  {
    modelType,
    task: "regression",
    target: "y",
    features: ["a", "b", "c"],
    hyperparameters:
      modelType === "random_forest" ? { nEstimators: 1000, threads: 2 } : { nEstimators: 10_000, threads: 2 },
  },
  {
    onProgress: (p) => {
      if (p.phase !== "training" || announced) return;
      announced = true;
      console.log("training");
    },
  },
).then(
  () => console.log("finished"),
  (error) => console.log(`failed: ${String(error)}`),
);
