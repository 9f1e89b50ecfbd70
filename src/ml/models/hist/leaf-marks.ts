/**
 * The raw scores of a one-output fit on one thread, updated through leaf marks: every sampled row is in one
 * leaf of each tree, so each row is marked with its leaf's node, less the tree's root (the deepest level's
 * rows while the tree is grown, GrowData.leafMarks; the other leaves' rows here), and the leaves' values are
 * added to the scores in one pass in row order: in the next round's gradient pass (SquaredError.
 * addGradients) or before it; the booster takes a round's training loss after that pass. Each score gets
 * the same one addition per tree as through the leaves' row ranges, so the same numbers. At 160k × 2 the
 * deepest level's partition and the scattered additions over the leaves' rows were a fifth of the fit.
 * Rows a subsample left out get their leaf value at once (the booster's addTree) and the mark of a node
 * whose value is 0: x + 0 is x for every score (a score is never −0: it starts as a sum from +0, and x + y
 * is −0 only when both are).
 */
import type { Leaf } from "./grower.js";
import type { Loss } from "./losses.js";

export class MarkedScores {
  /**
   * The leaf values by node (less the root) of the last tree, and 0 after them (`zero`): over shared memory
   * when worker threads add them (NodeThreads.markedGradients).
   */
  readonly nodeValues: Float64Array;
  /** The mark of rows without a pending value. */
  private readonly zero: number;
  /** Whether the last tree's values are still to be added to the scores. */
  private pending = false;

  /**
   * @param nodeOf - a mark per row, all 0 (the space's marks when its kernel marks: HistSpace.markRows)
   * @param maxNodes - nodes of a tree, at most (< 65,536)
   * @param init - every row's starting score
   * @param nodeValues - maxNodes + 1 zeros, for nodeValues (default: a new array)
   */
  constructor(
    readonly nodeOf: Uint16Array,
    maxNodes: number,
    init: number,
    nodeValues: Float64Array = new Float64Array(maxNodes + 1),
  ) {
    this.nodeValues = nodeValues;
    this.zero = maxNodes;
    // The first round's pass adds 0 (every mark and value is 0 yet), which leaves the scores as they are
    // unless they are −0: the same gradient pass every round (a pass run once a fit ran unoptimised, 5×
    // slower).
    this.pending = !Object.is(init, -0);
  }

  /** The tree rooted at `root` is grown: its leaves' rows marked (those with rows), its values pending. */
  setTree(rows: Int32Array, leaves: Leaf[], values: Float64Array, root: number): void {
    const { nodeOf, nodeValues } = this;
    for (let j = 0; j < leaves.length; j++) {
      const l = leaves[j];
      nodeValues[l.node - root] = values[j];
      markRows(nodeOf, rows, l.start, l.end, l.node - root);
    }
    this.pending = true;
  }

  /** The rows rows[from..to) (left out of the tree's sample, scored through it) get no pending value. */
  skip(rows: Int32Array, from: number, to: number): void {
    markRows(this.nodeOf, rows, from, to, this.zero);
  }

  /** The pending values added to raw (rows 0..n−1). */
  flush(raw: Float64Array, n: number): void {
    if (this.pending) addNodeValues(raw, this.nodeOf, this.nodeValues, n);
    this.pending = false;
  }

  /**
   * Whether the last tree's values are still to be added to the scores, which the caller now does (with the
   * gradients, on the threads: NodeThreads.markedGradients); they are no longer pending after this.
   */
  takePending(): boolean {
    const pending = this.pending;
    this.pending = false;
    return pending;
  }

  /**
   * The loss's gradients of rows 0..n−1 into gh (one output), the pending values added to raw first. With
   * `curveRows` (ascending), the loss's value over them after it when the pass took it (addGradients), else null.
   */
  gradients(
    loss: Loss,
    raw: Float64Array,
    y: Float64Array,
    gh: Float64Array,
    n: number,
    curveRows: Int32Array | null = null,
  ): number | null {
    if (this.pending && loss.addGradients) {
      const value = loss.addGradients(raw, y, gh, n, this.nodeOf, this.nodeValues, curveRows);
      this.pending = false;
      return curveRows ? value : null;
    }
    this.flush(raw, n);
    loss.gradients(raw, y, 0, gh, n);
    return null;
  }
}

/** nodeOf[i] = node for the rows i of rows[start..end) (a leaf's). */
export function markRows(
  nodeOf: Uint16Array,
  rows: Int32Array,
  start: number,
  end: number,
  node: number,
): void {
  for (let q = start; q < end; q++) nodeOf[rows[q]] = node;
}

/** raw[i] += nodeValues[nodeOf[i]] for i < n. */
function addNodeValues(raw: Float64Array, nodeOf: Uint16Array, nodeValues: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) raw[i] += nodeValues[nodeOf[i]];
}
