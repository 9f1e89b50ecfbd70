/** Binning by lookup tables (BinTable): exactly the bins of a plain count of the thresholds below each value. */
import { describe, expect, it } from "vitest";
import { type BinMapper, binRows, binTable, MISSING_BIN } from "../../../../src/ml/models/hist/binning.js";
import { matrixTable } from "../../../../src/ml/models/hist/columns.js";
import { Random } from "../../../../src/ml/random.js";

const bits = new Float64Array(1);
const word = new BigInt64Array(bits.buffer);

/** The float64 `steps` representations away from x (across zero and into NaN as the bits go). */
function step(x: number, steps: number): number {
  bits[0] = x;
  word[0] += BigInt(steps);
  return bits[0];
}

/** Values at and around every threshold (±1 and ±2 ulps), and the awkward ones. */
function adversarial(thresholds: number[], rng: Random): number[] {
  const out = [0, -0, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE];
  out.push(2.2e-308, -2.2e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300, -1e-300, 1e300, -1e300, 1, -1);
  for (const t of thresholds) for (const d of [-2, -1, 0, 1, 2]) out.push(step(t, d), -step(t, d));
  const lo = Math.min(...thresholds);
  const hi = Math.max(...thresholds);
  while (out.length < 8192) out.push(lo + (hi - lo) * (rng.next() * 1.2 - 0.1));
  return out;
}

/** A one-feature mapper over these (ascending) thresholds. */
function mapperOf(thresholds: number[], missing?: number): BinMapper {
  const m: BinMapper = {
    thresholds: Float64Array.from(thresholds),
    offsets: Int32Array.of(0, thresholds.length),
    categories: Int32Array.of(0),
  };
  return missing === undefined ? m : { ...m, missing };
}

/** The bin by definition: the number of thresholds below x, or the missing bin for NaN. */
function expected(thresholds: number[], x: number, missing: number): number {
  return Number.isNaN(x) ? missing : thresholds.filter((t) => t < x).length;
}

function expectExact(thresholds: number[], rng: Random, missing?: number): void {
  const values = adversarial(thresholds, rng);
  const m = mapperOf(thresholds, missing);
  const bins = binRows(m, matrixTable({ data: Float64Array.from(values), rows: values.length, cols: 1 }));
  const miss = missing ?? MISSING_BIN;
  const wrong = values.filter((x, i) => bins[i] !== expected(thresholds, x, miss));
  expect(wrong).toEqual([]);
}

const quantiles = (count: number, draw: () => number) =>
  Array.from({ length: 30_000 }, draw)
    .sort((a, b) => a - b)
    .filter((_, i, a) => i % Math.floor(a.length / count) === 0)
    .slice(1, count + 1);

describe("binRows by lookup tables", () => {
  const rng = new Random(5);
  const cases: Record<string, number[]> = {
    "normal quantiles": quantiles(255, () => rng.normal()),
    "uniform grid": Array.from({ length: 255 }, (_, i) => i / 7 - 10),
    "few, zero among them": [-1.5, 0, 0.5],
    "negative zero as a threshold": [-3, -0, 2, 7],
    subnormals: [-Number.MIN_VALUE * 3, -Number.MIN_VALUE, 0, Number.MIN_VALUE, Number.MIN_VALUE * 5],
    "the largest magnitudes": [-Number.MAX_VALUE, -1, 1, Number.MAX_VALUE],
    "neighbouring floats": [1, step(1, 1), step(1, 2), step(1, 3), step(1, 9)],
    "dense cluster and far outliers": [-1e9, ...Array.from({ length: 50 }, (_, i) => i * 1e-3), 1e9],
    "wide bins": Array.from({ length: 700 }, (_, i) => Math.sin(i) * 100).sort((a, b) => a - b),
  };
  for (const [name, thresholds] of Object.entries(cases)) {
    it(`${name}: the same bins as counting the thresholds below`, () => {
      expectExact(thresholds, rng, thresholds.length > 255 ? thresholds.length + 1 : undefined);
    });
  }

  it("takes a table where the cells are narrow, not where a heavy tail crowds one cell", () => {
    expect(binTable(mapperOf(cases["normal quantiles"]), 0)).not.toBeNull();
    expect(binTable(mapperOf(cases["uniform grid"]), 0)?.k).toBe(1);
    expect(binTable(mapperOf(cases["dense cluster and far outliers"]), 0)).toBeNull();
  });
});
