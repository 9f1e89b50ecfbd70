/**
 * The exp kernel gives Math.exp's values bit for bit (the boosting losses rely on it: models are the same as
 * with Math.exp), on every range of fdlibm's algorithm, its thresholds, and the values it leaves to Math.exp.
 */
import { describe, expect, it } from "vitest";
import { EXP_CHUNK, ExpLanes } from "../../../src/ml/kernels/exp-lanes.js";
import { Random } from "../../../src/ml/random.js";

/** Indices where the kernel's result differs from Math.exp (Object.is: −0, NaN and ±∞ compared too). */
function mismatches(lanes: ExpLanes, values: Float64Array): number[] {
  const bad: number[] = [];
  for (let from = 0; from < values.length; from += EXP_CHUNK) {
    const m = Math.min(EXP_CHUNK, values.length - from);
    lanes.input.set(values.subarray(from, from + m));
    lanes.exp(m);
    for (let j = 0; j < m; j++)
      if (!Object.is(lanes.output[j], Math.exp(values[from + j]))) bad.push(from + j);
  }
  return bad;
}

/** The double whose high word is `high` and low word 0 (fdlibm's thresholds are high words). */
function fromHigh(high: number): number {
  return new Float64Array(new Uint32Array([0, high]).buffer)[0];
}

describe("exp kernel", () => {
  const lanes = new ExpLanes();

  it("equals Math.exp at the thresholds of its ranges and at the special values", () => {
    const edges = [0x3e300000, 0x3fd62e42, 0x3fd62e43, 0x3ff0a2b1, 0x3ff0a2b2, 0x40862e42].map(fromHigh);
    const near = edges.flatMap((x) => [x, x * (1 - 2 ** -52), x * (1 + 2 ** -52)]);
    const special = [0, 1, 2, 0.5, 1e-300, 706.9, 707, 708, 709.78, 710, 745.2, 746, 1e308];
    const values = [...near, ...special].flatMap((x) => [x, -x]);
    const all = Float64Array.from([
      ...values,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(mismatches(lanes, all)).toEqual([]);
  });

  it("equals Math.exp on random values of every scale, odd counts included", () => {
    const rng = new Random(5);
    for (const scale of [1e-9, 0.3, 1, 3, 40, 700, 800]) {
      const values = Float64Array.from({ length: 3 * EXP_CHUNK + 7 }, () => (2 * rng.next() - 1) * scale);
      expect(mismatches(lanes, values)).toEqual([]);
    }
  });
});
