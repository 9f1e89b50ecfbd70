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
  /** Each feature's values in that order (TreeInput.sortedValues). */
  sortedValues: Float64Array;
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
  /** The last tree's children and leaf outputs when grown in place (see grow). */
  private child = new Int32Array(0);
  private values = new Float32Array(0);

  constructor(private readonly job: ExactJob) {
    this.scratch = new TreeScratch(job.n, job.p, Math.max(1, job.nClasses));
    this.weight = new Float64Array(job.n);
  }

  /**
   * Grows the tree of this seed: its own arrays, or (`inPlace`, for a ForestSink) views of this grower's,
   * valid until its next tree.
   */
  grow(seed: number, inPlace = false): ExactTree {
    const { job, weight } = this;
    const { Xc, sorted, sortedValues, y, n, p, nClasses } = job;
    const rng = new Random(seed);
    weight.fill(job.bootstrap ? 0 : 1);
    if (job.bootstrap) rng.addBootstrapCounts(weight);
    const input = { Xc, n, p, y, nClasses, weight, sorted, sortedValues };
    const tree = growTree(input, { ...job.options, rng }, this.scratch);
    if (!inPlace) return forestTree(tree, p, new Int32Array(tree.count), null);
    if (this.child.length < tree.count) this.child = new Int32Array(tree.feature.length);
    return forestTree(tree, p, this.child, this);
  }

  /** Room for this many leaf outputs (float32). */
  leafValues(n: number): Float32Array {
    if (this.values.length < n) this.values = new Float32Array(Math.max(n, 2 * this.values.length));
    return this.values;
  }
}

/**
 * The grown tree in the forest's layout (leaves point at their outputs, children written into `child`), with
 * its impurity decrease per feature; its own arrays, or views of the store's and the grower's (`inPlace`).
 * Its bins and flags, all zero, come empty (see copyTree).
 */
function forestTree(tree: NodeStore, p: number, child: Int32Array, inPlace: ExactGrower | null): ExactTree {
  const nodes = tree.count;
  const nOut = tree.nOut;
  const gains = new Float64Array(p);
  let leaves = 0;
  for (let node = 0; node < nodes; node++) leaves += +(tree.feature[node] < 0);
  // float32, as the forest stores them.
  const values = inPlace ? inPlace.leafValues(leaves * nOut) : new Float32Array(leaves * nOut);
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
    feature: inPlace ? tree.feature : tree.feature.slice(0, nodes),
    bin: new Uint8Array(0),
    flags: new Uint8Array(0),
    child,
    catSlot: new Int32Array(0),
    values,
    catBits: new Uint32Array(0),
    threshold: inPlace ? tree.threshold : tree.threshold.slice(0, nodes),
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
