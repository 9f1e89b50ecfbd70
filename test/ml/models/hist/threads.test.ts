/** The booster's per-row loops on worker threads (NodeThreads): the same numbers as the loops on this one. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHistSpace, type HistSpace } from "../../../../src/ml/kernels/hist-build.js";
import { reachableBins, rowStride } from "../../../../src/ml/models/hist/histogram.js";
import { binaryLogLoss, type Loss, squaredError } from "../../../../src/ml/models/hist/losses.js";
import { NodeThreads, regionsFor, SIDE_SLOTS, sharedCopy } from "../../../../src/ml/models/hist/threads.js";
import { Random } from "../../../../src/ml/random.js";

const N = 3000;
const P = 5;

/** A space of N rows (shuffled row list) and threads on it over raw (N × outputs) and y. */
function setUp(outputs: number, threads: number) {
  const rng = new Random(3);
  const stride = rowStride(P);
  const space = createHistSpace(N, stride, regionsFor(threads, stride), false, SIDE_SLOTS) as HistSpace;
  space.rows.set(rng.permutation(N));
  // Scores from −800 (exp overflows) to +800, and exact zeros; 0/1 targets.
  const raw = sharedCopy(
    Float64Array.from({ length: N * outputs }, (_, i) => (i % 97 === 0 ? 0 : 800 * rng.normal() ** 3)),
  );
  const y = Float64Array.from({ length: N }, () => +(rng.next() < 0.4));
  const reach = reachableBins(new Int32Array(P).fill(255), stride);
  // parallelMinRows 0: every run of units goes to the workers, whatever its size.
  return { space, raw, y, nodes: new NodeThreads(threads, space, reach, { raw, y }, 0), rng };
}

let open: NodeThreads | null = null;
afterEach(() => open?.close());

describe("per-row loops on the threads", () => {
  for (const [name, make] of [
    ["log-loss", binaryLogLoss],
    ["squared error", squaredError],
  ] as Array<[string, () => Loss]>) {
    it(`computes ${name} gradients on 2 threads bit for bit as the loss does`, () => {
      const { space, raw, y, nodes } = setUp(1, 2);
      open = nodes;
      const loss = make();
      const expected = new Float64Array(2 * N);
      loss.gradients(raw, y, 0, expected, N);
      const onThisThread = vi.spyOn(loss, "gradients");
      nodes.gradients(loss, 0, N);
      // Computed by the task's units, not by the loss on this thread.
      expect(onThisThread).not.toHaveBeenCalled();
      expect(Buffer.from(space.gh.buffer, space.gh.byteOffset, 16 * N)).toEqual(Buffer.from(expected.buffer));
    });
  }

  it("adds each leaf's value to its rows' scores of one output, on 1 and 2 threads alike", () => {
    const outputs = 3;
    const after = [1, 2].map((threads) => {
      const { space, raw, nodes, rng } = setUp(outputs, threads);
      open = nodes;
      // Leaves: consecutive row ranges of random sizes over the whole row list.
      const leaves: Array<{ start: number; end: number }> = [];
      for (let start = 0; start < N; ) {
        const end = Math.min(N, start + 1 + rng.int(400));
        leaves.push({ start, end });
        start = end;
      }
      const values = leaves.map(() => rng.normal());
      const expected = Float64Array.from(raw);
      leaves.forEach((leaf, j) => {
        for (let q = leaf.start; q < leaf.end; q++) expected[space.rows[q] * outputs + 1] += values[j];
      });
      nodes.addLeaves(leaves, values, outputs, 1);
      expect(raw).toEqual(expected);
      nodes.close();
      open = null;
      return raw;
    });
    expect(after[1]).toEqual(after[0]);
  });
});
