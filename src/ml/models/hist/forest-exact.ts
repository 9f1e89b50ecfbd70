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
import type { NodeStore } from "../tree/arrays.js";
import { growTree, type TreeOptions, TreeScratch } from "../tree/builder.js";
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

/** A thread's reusable memory for growing the exact trees of one job. */
export class ExactGrower {
  private readonly scratch: TreeScratch;
  private readonly weight: Float64Array;

  constructor(private readonly job: ExactJob) {
    this.scratch = new TreeScratch(job.n, job.p, Math.max(1, job.nClasses));
    this.weight = new Float64Array(job.n);
  }

  /** Grows the tree of this seed. */
  grow(seed: number): ExactTree {
    const { job, weight } = this;
    const { Xc, sorted, y, n, p, nClasses } = job;
    const rng = new Random(seed);
    weight.fill(job.bootstrap ? 0 : 1);
    if (job.bootstrap) for (let i = 0; i < n; i++) weight[rng.int(n)]++;
    const tree = growTree({ Xc, n, p, y, nClasses, weight, sorted }, { ...job.options, rng }, this.scratch);
    return forestTree(tree, p);
  }
}

/** The grown tree in the forest's layout (leaves point at their outputs), with its impurity decrease per feature. */
function forestTree(tree: NodeStore, p: number): ExactTree {
  const nodes = tree.count;
  const nOut = tree.nOut;
  const child = new Int32Array(nodes);
  const gains = new Float64Array(p);
  let leaves = 0;
  for (let node = 0; node < nodes; node++) leaves += +(tree.feature[node] < 0);
  // float32, as the forest stores them.
  const values = new Float32Array(leaves * nOut);
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
    for (let c = 0; c < nOut; c++) values[nValues + c] = tree.value[node * nOut + c];
    nValues += nOut;
  }
  return {
    nodes,
    nValues,
    nCat: 0,
    feature: tree.feature.slice(0, nodes),
    bin: new Uint8Array(nodes),
    flags: new Uint8Array(nodes),
    child,
    catSlot: new Int32Array(0),
    values,
    catBits: new Uint32Array(0),
    threshold: tree.threshold.slice(0, nodes),
    gains,
  };
}

/** The pool task: grows trees of the schedule, each sent back as [index, tree]. */
function growTask(
  data: { job: ExactJob; schedule: TreeSchedule; grower?: ExactGrower },
  _args: Int32Array,
  beat: () => void,
  send: (value: unknown) => void,
): void {
  data.grower ??= new ExactGrower(data.job);
  const grower = data.grower;
  growScheduled(
    data.schedule,
    (seed) => grower.grow(seed),
    (t, tree) => {
      send([t, tree]);
      beat();
    },
  );
}

export const EXACT_TREE_TASK = { module: import.meta.url, name: "forest-exact-tree" };
registerPoolTask(EXACT_TREE_TASK.name, growTask as never);
