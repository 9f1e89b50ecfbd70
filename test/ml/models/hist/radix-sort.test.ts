/** The bin mapper's radix sort orders doubles exactly as Float64Array.prototype.sort does. */
import { describe, expect, it } from "vitest";
import { sortedDistinct, sortValues } from "../../../../src/ml/models/hist/radix-sort.js";
import { Random } from "../../../../src/ml/random.js";

describe("sortValues", () => {
  const rng = new Random(21);
  const kinds: Record<string, () => number> = {
    uniform: () => 2 * rng.next() - 1,
    "one-hot": () => (rng.next() < 0.3 ? 1 : 0),
    "signed zeros, infinities, subnormals": () =>
      [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324, -5e-324, 1e308][rng.int(7)],
    "few distinct": () => Math.round(100 * rng.next()) / 7 - 3,
    "ties in the high word (long runs)": () => 1 + rng.int(4) * 2 ** -20 + rng.int(1 << 20) * 2 ** -52,
    "ties in the high word (short runs)": () => -1 - rng.int(700) * 2 ** -20 - rng.int(8) * 2 ** -52,
    "wide exponents": () => (rng.next() < 0.5 ? -1 : 1) * Math.exp(100 * rng.normal()),
  };

  it.each(Object.keys(kinds))("%s: the builtin sort's order, bit for bit", (kind) => {
    // 10: the builtin sort; 200 and 800: 8-bit digits; 1500 and 30,001: 11-bit digits.
    for (const n of [10, 200, 800, 1500, 30_001]) {
      const values = Float64Array.from({ length: n }, kinds[kind]);
      const expected = values.slice().sort();
      const sorted = sortValues(values.slice());
      expect(Buffer.from(sorted.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
  });

  it("sorts a view in place without touching the values around it", () => {
    const values = Float64Array.from({ length: 5000 }, () => rng.normal());
    const inner = values.subarray(1000, 4000);
    const before = [values.slice(0, 1000), values.slice(4000)];
    const expected = inner.slice().sort();
    expect(sortValues(inner)).toEqual(expected);
    expect([values.slice(0, 1000), values.slice(4000)]).toEqual(before);
  });

  it.each(Object.keys(kinds))(
    "%s: sortedDistinct is the sorted distinct values, or null past the limit",
    (kind) => {
      for (const n of [10, 1500, 30_001]) {
        const values = Float64Array.from({ length: n }, kinds[kind]);
        const sorted = values.slice().sort();
        const expected = Float64Array.from(
          sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]),
          (v) => v + 0,
        );
        for (const limit of [1, 7, 255, expected.length - 1, expected.length]) {
          if (limit < 1) continue;
          const got = sortedDistinct(values.slice(), limit);
          expect(got === null ? null : Array.from(got)).toEqual(
            expected.length > limit ? null : Array.from(expected),
          );
        }
      }
    },
  );
});
