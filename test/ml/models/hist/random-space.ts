/** A HistSpace of random rows for the kernel tests (uint8 bins, or uint16 above MISSING_BIN). */
import { expect } from "vitest";
import { createHistSpace, type HistSpace } from "../../../../src/ml/kernels/hist-build.js";
import { MISSING_BIN } from "../../../../src/ml/models/hist/binning.js";
import { rowStride } from "../../../../src/ml/models/hist/histogram.js";
import { Random } from "../../../../src/ml/random.js";

/**
 * n random rows of p features: 5% in the missing bin, the others in bins below `values`; random gradients
 * spanning six orders of magnitude, and a shuffled row list.
 */
export function randomSpace(
  n: number,
  p: number,
  columns: boolean,
  seed: number,
  missing = MISSING_BIN,
  values = Math.min(missing, 200),
): HistSpace {
  const rng = new Random(seed);
  const stride = rowStride(p);
  const space = createHistSpace(n, stride, 1, columns, 1, missing) as HistSpace;
  expect(space).not.toBeNull();
  expect(space.bins).toBeInstanceOf(missing > MISSING_BIN ? Uint16Array : Uint8Array);
  for (let i = 0; i < n; i++)
    for (let f = 0; f < p; f++) space.bins[i * stride + f] = rng.next() < 0.05 ? missing : rng.int(values);
  if (space.columns)
    for (let i = 0; i < n; i++)
      for (let f = 0; f < stride; f++) space.columns[f * n + i] = space.bins[i * stride + f];
  for (let i = 0; i < 2 * n; i++) space.gh[i] = rng.normal() * 10 ** Math.floor(rng.next() * 6 - 3);
  space.rows.set(rng.permutation(n));
  return space;
}
