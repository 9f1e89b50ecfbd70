/// <reference types="@webgpu/types" />
/**
 * Histogram gradient boosting with the trees grown on the GPU. The CPU engine bins the data (its bin mapper,
 * so the model is the same kind of artifact) and computes gradients; the GPU holds the bins and, per tree,
 * builds the histograms of one level's nodes (only the smaller child of each split; the larger is the
 * parent minus it), finds every node's best split and partitions the rows. Trees grow level by level
 * (XGBoost's depthwise); under a leaf budget (LightGBM's lossguide) each level splits its best-gain nodes
 * first until the budget is used. Numeric features and one output (regression, binary classification);
 * the caller keeps other fits on the CPU (gpuCanFit).
 */

import { InvalidParameterError } from "../errors.js";
import { type FitContext, pastDeadline } from "../models/base.js";
import { binCount, binRows, fitBinMapper, MAX_BINS, missingBin } from "../models/hist/binning.js";
import type { BoosterFitted, BoosterParams } from "../models/hist/booster.js";
import { holdOut } from "../models/hist/booster.js";
import type { ColumnTable } from "../models/hist/columns.js";
import { FLAG_DEFAULT_LEFT, ForestBuilder, leafOffset } from "../models/hist/forest.js";
import { rowStride } from "../models/hist/histogram.js";
import type { Loss } from "../models/hist/losses.js";
import { leafWeight } from "../models/hist/split.js";
import type { Random } from "../random.js";
import type { LearningCurve } from "../types.js";
import type { GpuContext } from "./device.js";
import { HistDevice, type HistogramMode } from "./hist-device.js";

/** Histogram memory the fit may use on the GPU (slots × features × 2 KiB). */
const HIST_BUDGET_BYTES = 256 * 1024 * 1024;
/** Open nodes per level at most (a wider level turns its extra nodes into leaves). */
const MAX_SLOTS = 256;
/** A depth cap for unlimited-depth settings: a level-wise tree deeper than this has no use here. */
const MAX_LEVELS = 16;

interface OpenNode {
  node: number; // forest node id
  local: number; // tree-local id (node − root)
  slot: number;
  g: number;
  h: number;
  count: number;
  depth: number;
}

export async function trainBoosterGpu(
  gpu: GpuContext,
  table: ColumnTable,
  y: Float64Array,
  loss: Loss,
  params: BoosterParams,
  ctx: FitContext,
  stratify: boolean,
  mode: HistogramMode = "float",
): Promise<{ fitted: BoosterFitted; curve: LearningCurve }> {
  const rng = ctx.rng;
  const parts = holdOut(table, y, params, rng, stratify);
  const { train, yTrain } = parts;
  const p = table.columns.length;
  const nt = train.nRows;
  const stride = rowStride(p);
  const mapper = fitBinMapper(train, params.maxBins, rng);
  if (missingBin(mapper) > MAX_BINS) {
    throw new InvalidParameterError(
      `The GPU booster bins each feature into at most ${MAX_BINS} bins, and maxBin ${params.maxBins} gave ` +
        `${missingBin(mapper)} bins to a feature of this data.`,
      { maxBin: params.maxBins },
      { recovery: `Set maxBin to ${MAX_BINS} or less, or train on the CPU.` },
    );
  }
  const bins = binRows(mapper, train, 0, nt, new Uint8Array(nt * stride), stride);
  const validBins = parts.valid ? binRows(mapper, parts.valid) : null;
  const nv = parts.valid?.nRows ?? 0;
  const init = loss.init(yTrain);
  const raw = new Float64Array(nt).fill(init[0]);
  const rawValid = new Float64Array(nv).fill(init[0]);
  const gh = new Float64Array(2 * nt);
  const binCounts = Int32Array.from({ length: p }, (_, f) => binCount(mapper, f));
  const maxLeaves = Math.min(params.maxLeaves, 2 ** Math.min(params.maxDepth, MAX_LEVELS));
  const slots = Math.max(
    2,
    Math.min(Math.ceil(maxLeaves), MAX_SLOTS, Math.floor(HIST_BUDGET_BYTES / (stride * 2048))),
  );
  const dev = new HistDevice(gpu, bins, nt, stride, p, slots, mode);
  const forest = new ForestBuilder(1);
  const featureGain = new Float64Array(p);
  const curve: LearningCurve = { metric: loss.name, train: [], ...(validBins ? { validation: [] } : {}) };
  const rowNode = new Int32Array(nt);
  let best = Number.POSITIVE_INFINITY;
  let bestRound = -1;
  try {
    for (let round = 0; round < params.rounds; round++) {
      const usable = featureMask(p, params.colsampleByTree, rng);
      const sampled = params.subsample < 1 && params.subsampleFreq > 0;
      for (let i = 0; i < nt; i++) rowNode[i] = sampled && rng.next() >= params.subsample ? -1 : 0;
      loss.prepare(raw, nt);
      loss.gradients(raw, yTrain, 0, gh, nt);
      const root = forest.nodes;
      const leaves = await growTreeGpu(
        dev,
        forest,
        rowNode,
        gh,
        usable,
        binCounts,
        params,
        slots,
        featureGain,
      );
      const finalNodes = await dev.rowNodes();
      const values = new Float64Array(forest.nodes - root);
      for (const leaf of leaves) {
        const v = params.learningRate * leafWeight(leaf.g, leaf.h, params.l1, params.l2);
        forest.setLeaf(leaf.node, [v]);
        values[leaf.node - root] = v;
      }
      for (let i = 0; i < nt; i++) {
        const local = finalNodes[i];
        // Rows outside the sample are scored through the new tree.
        raw[i] += local >= 0 ? values[local] : forest.values[leafOffset(forest, root, bins, i * stride)];
      }
      if (validBins)
        for (let i = 0; i < nv; i++) rawValid[i] += forest.values[leafOffset(forest, root, validBins, i * p)];
      curve.train.push(loss.value(raw, yTrain, null, nt));
      ctx.onProgress?.((round + 1) / params.rounds, `Round ${round + 1} of ${params.rounds}`);
      if (pastDeadline(ctx)) break;
      if (!validBins || !parts.yValid) continue;
      const v = loss.value(rawValid, parts.yValid, null, nv);
      curve.validation?.push(v);
      if (v < best - params.tol) {
        best = v;
        bestRound = round;
      } else if (round - bestRound >= params.nIterNoChange) break;
    }
  } finally {
    dev.destroy();
  }
  if (validBins && bestRound >= 0) {
    forest.truncate(bestRound + 1);
    curve.bestIteration = bestRound;
  }
  return { fitted: { mapper, forest: forest.finish(), init, outputs: 1, nFeatures: p, featureGain }, curve };
}

/** Grows one tree level by level; returns its leaves with their gradient sums. */
async function growTreeGpu(
  dev: HistDevice,
  forest: ForestBuilder,
  rowNode: Int32Array,
  gh: Float64Array,
  usable: Uint32Array,
  binCounts: Int32Array,
  params: BoosterParams,
  slots: number,
  featureGain: Float64Array,
): Promise<Array<{ node: number; g: number; h: number }>> {
  const root = forest.addRoot();
  let g = 0;
  let h = 0;
  let count = 0;
  for (let i = 0; i < rowNode.length; i++)
    if (rowNode[i] === 0) {
      g += gh[2 * i];
      h += gh[2 * i + 1];
      count++;
    }
  dev.setGradients(gh);
  dev.setRowNodes(rowNode);
  const leaves: Array<{ node: number; g: number; h: number }> = [];
  const canSplit = (o: OpenNode) =>
    o.depth < params.maxDepth &&
    o.depth < MAX_LEVELS &&
    o.count >= 2 * Math.max(1, params.minSamplesLeaf) &&
    o.h >= 2 * params.minChildWeight;
  const rootNode: OpenNode = { node: root, local: 0, slot: 0, g, h, count, depth: 0 };
  if (!canSplit(rootNode)) return [{ node: root, g, h }];
  dev.buildHistograms(Int32Array.of(0), [0]);
  let open = [rootNode];
  let leafCount = 1;
  const freeSlots = Array.from({ length: slots - 1 }, (_, k) => slots - 1 - k);
  while (open.length > 0) {
    const found = await dev.findSplits(open, binCounts, usable, params);
    // Best gains first, so a leaf budget goes to the splits that gain most (lossguide's preference).
    const order = open.map((_, k) => k).sort((a, b) => found[b].gain - found[a].gain);
    const splits = new Int32Array(4 * (forest.nodes - root + 2 * open.length)).fill(-1);
    const children: Array<{ parent: OpenNode; left: OpenNode; right: OpenNode }> = [];
    for (const k of order) {
      const o = open[k];
      const s = found[k];
      const ok = s.feature >= 0 && s.gain > params.minSplitGain && leafCount < params.maxLeaves;
      if (!ok || freeSlots.length === 0) {
        leaves.push({ node: o.node, g: o.g, h: o.h });
        freeSlots.push(o.slot);
        continue;
      }
      const left = forest.split(o.node, s.feature, s.bin, s.defaultLeft ? FLAG_DEFAULT_LEFT : 0, null);
      featureGain[s.feature] += s.gain;
      leafCount++;
      splits.set([s.feature, s.bin, s.defaultLeft ? 1 : 0, left - root], 4 * o.local);
      const child = (node: number, cg: number, chh: number): OpenNode => ({
        node,
        local: node - root,
        slot: -1,
        g: cg,
        h: chh,
        count: 0,
        depth: o.depth + 1,
      });
      children.push({ parent: o, left: child(left, s.gL, s.hL), right: child(left + 1, s.gR, s.hR) });
    }
    if (children.length === 0) break;
    const nNodes = forest.nodes - root;
    const counts = await dev.partition(splits.subarray(0, 4 * nNodes), nNodes);
    const next: OpenNode[] = [];
    const slotOfNode = new Int32Array(nNodes).fill(-1);
    const built: number[] = [];
    const triples: Array<[number, number, number]> = [];
    for (const { parent, left, right } of children) {
      left.count = counts[left.local];
      right.count = counts[right.local];
      const splitLeft = canSplit(left);
      const splitRight = canSplit(right);
      if (!splitLeft && !splitRight) {
        freeSlots.push(parent.slot);
        leaves.push(left, right);
        continue;
      }
      // The smaller child is built; the larger one takes the parent's slot minus it.
      const [small, large] = left.count <= right.count ? [left, right] : [right, left];
      const slot = freeSlots.pop();
      if (slot === undefined) {
        freeSlots.push(parent.slot);
        leaves.push(left, right);
        continue;
      }
      small.slot = slot;
      large.slot = parent.slot;
      slotOfNode[small.local] = slot;
      built.push(slot);
      triples.push([parent.slot, slot, parent.slot]);
      for (const c of [left, right]) {
        if (canSplit(c)) next.push(c);
        else {
          leaves.push(c);
        }
      }
    }
    if (built.length > 0) {
      dev.buildHistograms(slotOfNode, built);
      dev.subtract(triples);
    }
    // A large child that stops here still holds its parent's slot until now.
    for (const { left, right } of children) {
      for (const c of [left, right])
        if (c.slot >= 0 && !next.includes(c) && !freeSlots.includes(c.slot)) freeSlots.push(c.slot);
    }
    open = next;
  }
  return leaves.map((l) => ({ node: l.node, g: l.g, h: l.h }));
}

/** 1 for the features this tree may use (colsample_bytree), at least one. */
function featureMask(p: number, fraction: number, rng: Random): Uint32Array {
  const mask = new Uint32Array(p);
  if (fraction >= 1) return mask.fill(1);
  const take = Math.max(1, Math.round(fraction * p));
  for (const f of rng.permutation(p).subarray(0, take)) mask[f] = 1;
  return mask;
}
