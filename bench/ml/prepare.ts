/** Turns a frame into the exact train/test design matrices trainModel uses (same split, same preprocessing). */
import type { Matrix } from "../../src/ml/matrix.js";
import { fitPreprocessing } from "../../src/ml/preprocess/fit.js";
import { transform } from "../../src/ml/preprocess/transform.js";
import { profileColumn } from "../../src/ml/profile.js";
import { featureNames, findColumn } from "../../src/ml/schema.js";
import { trainTestSplit } from "../../src/ml/split.js";
import { encodeTarget } from "../../src/ml/target.js";
import type { Frame, Task } from "../../src/ml/types.js";

export interface Prepared {
  name: string;
  task: Task;
  nClasses: number;
  Xtrain: Matrix;
  ytrain: Float64Array;
  Xtest: Matrix;
  ytest: Float64Array;
}

export function prepare(name: string, frame: Frame, target: string, task: Task, seed = 42): Prepared {
  const t = encodeTarget(findColumn(frame, target), task);
  const names = featureNames(
    frame.columns.map((c) => profileColumn(c, frame.nRows)),
    target,
    frame.nRows,
  );
  const cols = names.map((n) => findColumn(frame, n));
  const split = trainTestSplit(
    t.rows.length,
    0.2,
    seed,
    task === "classification" ? Int32Array.from(t.y) : undefined,
  );
  const trainRows = Int32Array.from(split.train, (i) => t.rows[i]);
  const testRows = Int32Array.from(split.test, (i) => t.rows[i]);
  const pre = fitPreprocessing(cols, trainRows, "standard");
  return {
    name,
    task,
    nClasses: t.classes?.length ?? 0,
    Xtrain: transform(pre, cols, frame.nRows, trainRows),
    ytrain: Float64Array.from(split.train, (i) => t.y[i]),
    Xtest: transform(pre, cols, frame.nRows, testRows),
    ytest: Float64Array.from(split.test, (i) => t.y[i]),
  };
}
