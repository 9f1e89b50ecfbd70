/** Preprocessing fitted on training rows only: imputation, scaling, one-hot with "other", datetime parts. */
import { describe, expect, it } from "vitest";
import { fitPreprocessing } from "../../src/ml/preprocess/fit.js";
import { transform } from "../../src/ml/preprocess/transform.js";
import type { Column } from "../../src/ml/types.js";

const numeric = (name: string, values: number[]): Column => ({
  name,
  type: "numeric",
  values: Float64Array.from(values),
});
const categorical = (name: string, levels: string[], codes: number[]): Column => ({
  name,
  type: "categorical",
  levels,
  codes: Int32Array.from(codes),
});
const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe("numeric features", () => {
  const x = numeric("x", [1, 2, Number.NaN, 4, 100]);

  it("imputes the training median and standardises with the population std (after imputation)", () => {
    const train = Int32Array.from([0, 1, 2, 3]);
    const pre = fitPreprocessing([x], train, "standard");
    const plan = pre.features[0];
    expect(plan.kind === "numeric" && plan.median).toBe(2);
    // imputed train: 1, 2, 2, 4 → mean 2.25, std sqrt(((1.25)²+0.25²·2+1.75²)/4)
    const sd = Math.sqrt((1.5625 + 0.0625 + 0.0625 + 3.0625) / 4);
    const X = transform(pre, [x], 5);
    expect(X.data[2 * X.cols]).toBeCloseTo((2 - 2.25) / sd, 12);
    expect(X.data[4 * X.cols]).toBeCloseTo((100 - 2.25) / sd, 12);
  });

  it("adds a missing indicator when at least 5% of training values are missing", () => {
    const pre = fitPreprocessing([x], all(5), "none");
    expect(pre.outputNames).toEqual(["x", "x (missing)"]);
    expect(Array.from(transform(pre, [x], 5).data)).toEqual([1, 0, 2, 0, 3, 1, 4, 0, 100, 0]);
  });

  it("min-max and robust scaling", () => {
    const y = numeric("y", [0, 5, 10, 20]);
    const mm = transform(fitPreprocessing([y], all(4), "minmax"), [y], 4);
    expect(Array.from(mm.data)).toEqual([0, 0.25, 0.5, 1]);
    const rb = fitPreprocessing([y], all(4), "robust");
    const plan = rb.features[0];
    // median 7.5, IQR = q75 (12.5) − q25 (3.75) = 8.75 (numpy's linear quantiles)
    expect(plan.kind === "numeric" && plan.affine).toEqual({ center: 7.5, scale: 8.75 });
  });
});

describe("categorical features", () => {
  const levels = ["a", "b", "c", "rare"];
  const col = categorical("g", levels, [0, 1, 2, 0, 1, 2, 3, -1]);

  it("one-hot encodes kept levels, pools rare ones into <other>, imputes the most frequent", () => {
    const pre = fitPreprocessing([col], all(8), "standard");
    expect(pre.outputNames).toEqual(["g=a", "g=b", "g=c", "g=<other>"]);
    const X = transform(pre, [col], 8);
    const row = (i: number) => Array.from(X.data.subarray(i * 4, i * 4 + 4));
    expect(row(0)).toEqual([1, 0, 0, 0]);
    expect(row(6)).toEqual([0, 0, 0, 1]);
    expect(row(7)).toEqual([1, 0, 0, 0]); // missing → most frequent ("a", tie broken alphabetically)
  });

  it("sends an unseen category to <other> at prediction time instead of crashing", () => {
    const pre = fitPreprocessing([col], all(8), "standard");
    const unseen = categorical("g", ["zzz", "b"], [0, 1]);
    const X = transform(pre, [unseen], 2);
    expect(Array.from(X.data)).toEqual([0, 0, 0, 1, 0, 1, 0, 0]);
  });

  it("without rare levels there is no <other> column and unseen values encode as all zeros", () => {
    const c2 = categorical("h", ["x", "y"], [0, 1, 0, 1]);
    const pre = fitPreprocessing([c2], all(4), "standard");
    expect(pre.outputNames).toEqual(["h=x", "h=y"]);
    expect(Array.from(transform(pre, [categorical("h", ["new"], [0])], 1).data)).toEqual([0, 0]);
  });
});

describe("datetime features", () => {
  it("expand into year, month, day and weekday (Monday = 0), plus hour when times are present", () => {
    const d: Column = {
      name: "d",
      type: "datetime",
      values: Float64Array.from([Date.UTC(2024, 2, 4), Date.UTC(2023, 11, 31)]),
    };
    const pre = fitPreprocessing([d], all(2), "none");
    expect(pre.outputNames).toEqual(["d.year", "d.month", "d.day", "d.weekday"]);
    expect(Array.from(transform(pre, [d], 2).data)).toEqual([2024, 3, 4, 0, 2023, 12, 31, 6]);
    const t: Column = {
      name: "t",
      type: "datetime",
      values: Float64Array.from([Date.UTC(2024, 0, 1, 13, 30), Date.UTC(2024, 0, 2)]),
    };
    expect(fitPreprocessing([t], all(2), "none").outputNames).toContain("t.hour");
  });
});
