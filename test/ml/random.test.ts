/**
 * Random.shuffle and Random.addBootstrapCounts inline the generator for speed; they must stay the draws
 * through int(), draw for draw, so every seeded sample (binning, bootstraps, permutations) is what it was.
 */
import { describe, expect, it } from "vitest";
import { Random } from "../../src/ml/random.js";

/** The definition: from the end, a[i] swaps with a[int(i + 1)]. */
function shuffleByDraws(rng: Random, a: Int32Array): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe("Random.shuffle", () => {
  it.each([1, 42, 0xffffffff])(
    "seed %i: the same order and the same generator state as draws through int()",
    (seed) => {
      for (const n of [0, 1, 2, 17, 50_000]) {
        const fast = new Random(seed);
        const slow = new Random(seed);
        const identity = () => Int32Array.from({ length: n }, (_, i) => i);
        expect(fast.shuffle(identity())).toEqual(shuffleByDraws(slow, identity()));
        expect([fast.nextUint32(), fast.next(), fast.normal()]).toEqual([
          slow.nextUint32(),
          slow.next(),
          slow.normal(),
        ]);
      }
    },
  );
});

describe("Random.addBootstrapCounts", () => {
  it.each([1, 42, 0xffffffff])(
    "seed %i: the same counts and the same generator state as counts[int(n)]++, n times",
    (seed) => {
      for (const n of [0, 1, 2, 17, 50_000]) {
        const fast = new Random(seed);
        const slow = new Random(seed);
        const counts = new Float64Array(n).fill(0.5);
        fast.addBootstrapCounts(counts);
        const expected = new Float64Array(n).fill(0.5);
        for (let i = 0; i < n; i++) expected[slow.int(n)]++;
        expect(counts).toEqual(expected);
        expect([fast.nextUint32(), fast.next(), fast.normal()]).toEqual([
          slow.nextUint32(),
          slow.next(),
          slow.normal(),
        ]);
      }
    },
  );
});

describe("Random's stream", () => {
  it("is the one every seeded model was fitted with (values pinned before the state moved to int32 words)", () => {
    const rng = new Random(2026);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([
      1436751614, 742089593, 1736781944,
    ]);
    expect([rng.next(), rng.int(1000)]).toEqual([0.3056706088134965, 837]);
    const counts = new Float64Array(8);
    rng.addBootstrapCounts(counts);
    expect(Array.from(counts)).toEqual([0, 1, 1, 0, 3, 3, 0, 0]);
    // Above 2^31: unsigned, as ever.
    expect(rng.nextUint32()).toBe(3755397042);
  });
});
