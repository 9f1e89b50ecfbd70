/** The hold-out split: seeded, disjoint, stratified for classification. */
import { describe, expect, it } from "vitest";
import { Random } from "../../src/ml/random.js";
import { trainTestSplit } from "../../src/ml/split.js";

describe("trainTestSplit", () => {
  it("covers every row exactly once with ceil(testSize·n) test rows", () => {
    const s = trainTestSplit(101, 0.2, 42);
    expect(s.test.length).toBe(21);
    expect(new Set([...s.train, ...s.test]).size).toBe(101);
  });

  it("is the same for a seed and differs between seeds", () => {
    expect(trainTestSplit(50, 0.2, 1)).toEqual(trainTestSplit(50, 0.2, 1));
    expect(trainTestSplit(50, 0.2, 1).test).not.toEqual(trainTestSplit(50, 0.2, 2).test);
  });

  it("keeps each class's share in the test split and never puts a singleton class only in test", () => {
    const labels = Int32Array.from([...Array(60).fill(0), ...Array(30).fill(1), ...Array(9).fill(2), 3]);
    const s = trainTestSplit(labels.length, 0.2, 42, labels);
    const count = (rows: Int32Array, k: number) => Array.from(rows).filter((i) => labels[i] === k).length;
    expect(s.test.length).toBe(20);
    expect([0, 1, 2].map((k) => count(s.test, k))).toEqual([12, 6, 2]);
    expect(count(s.train, 3)).toBe(1);
  });
});

describe("Random", () => {
  it("is reproducible and roughly uniform", () => {
    const a = new Random(7);
    const b = new Random(7);
    const xs = Array.from({ length: 10000 }, () => a.next());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.next()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
