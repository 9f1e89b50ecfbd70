/**
 * Random-forest trees on exact values, for few numeric features: scikit-learn's splitter (presorted orders,
 * thresholds at midpoints between the bootstrap sample's distinct values, see ../tree/builder.ts). With few
 * features the 255 shared bin edges are too coarse: every tree would split on the same edges and the trees
 * stay alike, so averaging them removes little of their variance (weak-signal data scored well below
 * scikit-learn's). Trees come out in the forest's layout with a raw threshold per split node.
 * Grown the same way here or on a pool worker: the tree's seed gives its bootstrap sample and feature draws.
 */
import { Random } from "../../random.js";
import { registerPoolTask } from "../../threads/pool.js";
import { buildTree, type TreeOptions } from "../tree/builder.js";
import type { GrownTree } from "./forest.js";
import { growScheduled, type TreeSchedule } from "./forest-task.js";

/** What every exact tree of a fit shares (shared memory when workers grow trees). */
export interface ExactJob {
  /** Column-major n × p values (no missing values). */
  Xc: Float64Array;
  /** Per-feature row order by value (presortColumns). */
  sorted: Int32Array;
  y: Float64Array;
  n: number;
  p: number;
  /** 0 for regression. */
  nClasses: number;
  bootstrap: boolean;
  options: Omit<TreeOptions, "rng">;
}

export type ExactTree = GrownTree & { threshold: Float64Array; gains: Float64Array };

/** Grows the tree of this seed. */
export function growExactTree(job: ExactJob, seed: number): ExactTree {
  const { Xc, sorted, y, n, p, nClasses } = job;
  const rng = new Random(seed);
  const weight = new Float64Array(n);
  if (job.bootstrap) for (let i = 0; i < n; i++) weight[rng.int(n)]++;
  else weight.fill(1);
  const { tree } = buildTree({ Xc, n, p, y, nClasses, weight, sorted }, { ...job.options, rng });
  const nodes = tree.nodeCount;
  const nOut = tree.nOut;
  const child = new Int32Array(nodes);
  const leaves = new Float64Array(nodes * nOut);
  const gains = new Float64Array(p);
  let nValues = 0;
  for (let node = 0; node < nodes; node++) {
    const f = tree.feature[node];
    if (f >= 0) {
      // The builder adds a split's two children together, so right = left + 1 as in the forest layout.
      const l = tree.left[node];
      const r = tree.right[node];
      child[node] = l;
      gains[f] +=
        tree.weight[node] * tree.impurity[node] -
        tree.weight[l] * tree.impurity[l] -
        tree.weight[r] * tree.impurity[r];
      continue;
    }
    child[node] = nValues;
    for (let c = 0; c < nOut; c++) leaves[nValues + c] = tree.value[node * nOut + c];
    nValues += nOut;
  }
  return {
    nodes,
    nValues,
    nCat: 0,
    feature: tree.feature,
    bin: new Uint8Array(nodes),
    flags: new Uint8Array(nodes),
    child,
    catSlot: new Int32Array(nodes).fill(-1),
    values: leaves.subarray(0, nValues),
    catBits: new Uint32Array(0),
    threshold: tree.threshold,
    gains,
  };
}

/** The pool task: grows trees of the schedule, each sent back as [index, tree]. */
function growTask(
  data: { job: ExactJob; schedule: TreeSchedule },
  _args: Int32Array,
  beat: () => void,
  send: (value: unknown) => void,
): void {
  growScheduled(
    data.schedule,
    (seed) => growExactTree(data.job, seed),
    (t, tree) => {
      send([t, tree]);
      beat();
    },
  );
}

export const EXACT_TREE_TASK = { module: import.meta.url, name: "forest-exact-tree" };
registerPoolTask(EXACT_TREE_TASK.name, growTask as never);
