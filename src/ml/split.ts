/**
 * Hold-out split with a seed. Stratified for classification: each class keeps its share in the test split
 * (largest-remainder allocation), and a class with one member stays in training.
 */
import { Random } from "./random.js";

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

export function trainTestSplit(n: number, testSize: number, seed: number, labels?: Int32Array): Split {
  const nTest = Math.min(n - 1, Math.max(1, Math.ceil(testSize * n)));
  const rng = new Random(seed);
  if (!labels) {
    const perm = rng.permutation(n);
    return finish(perm.subarray(nTest), perm.subarray(0, nTest));
  }
  const groups = groupByLabel(labels);
  const quota = allocate(
    groups.map((g) => g.length),
    nTest,
    n,
  );
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((members, k) => {
    rng.shuffle(members);
    for (let i = 0; i < members.length; i++) (i < quota[k] ? test : train).push(members[i]);
  });
  return finish(Int32Array.from(train), Int32Array.from(test));
}

function finish(train: Int32Array, test: Int32Array): Split {
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

function groupByLabel(labels: Int32Array): Int32Array[] {
  let k = 0;
  for (const l of labels) k = Math.max(k, l + 1);
  const counts = new Int32Array(k);
  for (const l of labels) counts[l]++;
  const groups = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(k);
  labels.forEach((l, i) => {
    groups[l][fill[l]++] = i;
  });
  return groups;
}

/** Largest-remainder shares of nTest, at most count − 1 per class so every class is in training. */
function allocate(counts: number[], nTest: number, n: number): number[] {
  const exact = counts.map((c) => (c * nTest) / n);
  const quota = exact.map((e, k) => Math.min(Math.floor(e), Math.max(0, counts[k] - 1)));
  let left = nTest - quota.reduce((s, q) => s + q, 0);
  const order = counts
    .map((_, k) => k)
    .sort(
      (a, b) => exact[b] - Math.floor(exact[b]) - (exact[a] - Math.floor(exact[a])) || counts[b] - counts[a],
    );
  for (let pass = 0; left > 0 && pass < 2; pass++) {
    for (const k of order) {
      if (left === 0) break;
      if (quota[k] < counts[k] - 1 && (pass === 1 || quota[k] < Math.ceil(exact[k]))) {
        quota[k]++;
        left--;
      }
    }
  }
  return quota;
}
