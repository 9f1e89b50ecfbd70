/** The histogram kernel's transpose: the column-major copy of the bins (or of the compact matrix), byte for byte. */
import { describe, expect, it } from "vitest";
import { createHistSpace, type HistSpace } from "../../../src/ml/kernels/hist-build.js";
import { Random } from "../../../src/ml/random.js";

/** columns[f · n + i] = matrix[i · stride + f], as the JavaScript loop it replaces. */
function transposed(matrix: Uint8Array, n: number, stride: number): Uint8Array {
  const out = new Uint8Array(n * stride);
  for (let i = 0; i < n; i++) for (let f = 0; f < stride; f++) out[f * n + i] = matrix[i * stride + f];
  return out;
}

describe("the transpose kernel", () => {
  // Whole steps of 16 rows, the rest a byte at a time, and strides of one to many column quads.
  it.each([
    [0, 4],
    [1, 4],
    [15, 8],
    [16, 4],
    [17, 28],
    [1003, 28],
    [517, 56],
  ])("fills the column copy of %i rows × stride %i", (n, stride) => {
    const space = createHistSpace(n, stride, 1, true) as HistSpace;
    const rng = new Random(n + stride);
    for (let k = 0; k < space.bins.length; k++) space.bins[k] = rng.int(256);
    const columns = space.fillColumns();
    expect(columns).toBe(space.columns);
    expect(Array.from(columns as Uint8Array)).toEqual(
      Array.from(transposed(space.bins as Uint8Array, n, stride)),
    );
  });

  it("copies the compact matrix when the space has one", () => {
    const n = 301;
    const space = createHistSpace(n, 28, 1, true, 1, undefined, 12) as HistSpace;
    const bundled = space.bundled as Uint8Array;
    const rng = new Random(5);
    for (let k = 0; k < bundled.length; k++) bundled[k] = rng.int(256);
    space.fillColumns();
    expect(Array.from(space.columns as Uint8Array)).toEqual(Array.from(transposed(bundled, n, 12)));
  });

  it("leaves uint16 bins to the caller", () => {
    const space = createHistSpace(40, 4, 1, true, 1, 300) as HistSpace;
    expect(space.fillColumns()).toBeNull();
  });
});
