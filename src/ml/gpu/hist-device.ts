/// <reference types="@webgpu/types" />
/**
 * The binned training data of one boosting fit, resident on the GPU, and the steps a tree is grown with:
 * histograms for a set of nodes (float or quantised), the subtraction trick, split finding and the row
 * partition. Rows carry their tree-local node id (−1: not in this tree's sample); nodes whose histogram is
 * wanted carry a slot.
 */
import {
  bindGroup,
  dispatch,
  pipelineFor,
  readBack,
  readFloats,
  storageBuffer,
  uniformBuffer,
} from "./buffers.js";
import type { GpuContext } from "./device.js";
import {
  HIST_CHUNK,
  HIST_FLOAT_WGSL,
  HIST_QUANTISED_WGSL,
  PARTITION_WGSL,
  SPLIT_WGSL,
  SUBTRACT_WGSL,
  WORD_BLOCK,
} from "./hist-kernels.js";
import { grid256 } from "./mlp-kernels.js";

export type HistogramMode = "float" | "quantised";

export interface SplitRulesGpu {
  l1: number;
  l2: number;
  minChildWeight: number;
  minSamplesLeaf: number;
}

/** One node to find a split for: its histogram slot and its sums. */
export interface NodeSums {
  slot: number;
  g: number;
  h: number;
  count: number;
}

export interface GpuSplit {
  gain: number;
  feature: number;
  bin: number;
  defaultLeft: boolean;
  gL: number;
  hL: number;
  gR: number;
  hR: number;
}

export class HistDevice {
  readonly words: number;
  readonly block: number;
  private readonly owned: GPUBuffer[] = [];
  readonly bins: GPUBuffer;
  readonly rowNode: GPUBuffer;
  private gh: GPUBuffer;
  private hist: GPUBuffer;
  private slotOfNode: GPUBuffer;
  private splits: GPUBuffer;
  private counts: GPUBuffer;
  private nodeSlots: number;
  /** Integer units per gradient and hessian unit when quantised. */
  scale = { g: 1, h: 1 };

  constructor(
    private readonly gpu: GpuContext,
    bins: Uint8Array,
    readonly nRows: number,
    readonly stride: number,
    readonly nFeatures: number,
    slots: number,
    readonly mode: HistogramMode = "float",
    maxNodes = 256,
  ) {
    const { device } = gpu;
    this.words = stride / 4;
    this.block = this.words * WORD_BLOCK;
    this.bins = this.own(storageBuffer(device, bins));
    this.rowNode = this.own(storageBuffer(device, nRows * 4));
    this.gh = this.own(storageBuffer(device, nRows * 8));
    this.hist = this.own(storageBuffer(device, slots * this.block * 4));
    this.nodeSlots = maxNodes;
    this.slotOfNode = this.own(storageBuffer(device, maxNodes * 4));
    this.splits = this.own(storageBuffer(device, maxNodes * 16));
    this.counts = this.own(storageBuffer(device, maxNodes * 4));
  }

  private own(b: GPUBuffer): GPUBuffer {
    this.owned.push(b);
    return b;
  }

  /** Node tables grow with the tree. */
  private ensureNodes(n: number): void {
    if (n <= this.nodeSlots) return;
    const { device } = this.gpu;
    this.nodeSlots = Math.max(n, 2 * this.nodeSlots);
    for (const b of [this.slotOfNode, this.splits, this.counts]) b.destroy();
    this.slotOfNode = this.own(storageBuffer(device, this.nodeSlots * 4));
    this.splits = this.own(storageBuffer(device, this.nodeSlots * 16));
    this.counts = this.own(storageBuffer(device, this.nodeSlots * 4));
  }

  /** Gradients and hessians of every row (interleaved); quantised mode scales them to integers. */
  setGradients(gh: Float64Array): void {
    const { device } = this.gpu;
    if (this.mode === "float") {
      device.queue.writeBuffer(this.gh, 0, Float32Array.from(gh));
      return;
    }
    this.scale = quantisationScale(gh, this.nRows);
    const q = new Int32Array(gh.length);
    for (let i = 0; i < gh.length; i += 2) {
      q[i] = Math.round(gh[i] * this.scale.g);
      q[i + 1] = Math.round(gh[i + 1] * this.scale.h);
    }
    device.queue.writeBuffer(this.gh, 0, q);
  }

  setRowNodes(rowNode: Int32Array): void {
    this.gpu.device.queue.writeBuffer(this.rowNode, 0, rowNode);
  }

  async rowNodes(): Promise<Int32Array> {
    return new Int32Array(await readBack(this.gpu.device, this.rowNode, this.nRows * 4));
  }

  /** Builds the histograms of the nodes with slotOfNode[node] ≥ 0 into those (zeroed) slots. */
  buildHistograms(slotOfNode: Int32Array, slotsUsed: number[]): void {
    const { device } = this.gpu;
    this.ensureNodes(slotOfNode.length);
    device.queue.writeBuffer(this.slotOfNode, 0, slotOfNode);
    const encoder = device.createCommandEncoder();
    for (const s of slotsUsed) encoder.clearBuffer(this.hist, s * this.block * 4, this.block * 4);
    const maxSlot = Math.max(...slotsUsed) + 1;
    const code = this.mode === "float" ? HIST_FLOAT_WGSL : HIST_QUANTISED_WGSL;
    const pipeline = pipelineFor(device, code);
    const cfg = uniformBuffer(device, [this.nRows, this.words, HIST_CHUNK, 0]);
    const group = bindGroup(device, pipeline, [
      this.bins,
      this.gh,
      this.rowNode,
      this.slotOfNode,
      this.hist,
      cfg,
    ]);
    dispatch(encoder, pipeline, group, Math.ceil(this.nRows / HIST_CHUNK), this.words, maxSlot);
    if (this.mode === "quantised") this.dequantise(encoder, slotsUsed);
    device.queue.submit([encoder.finish()]);
    cfg.destroy();
  }

  /** Integer sums back to floats in place (the split kernel and the subtraction read floats). */
  private dequantise(encoder: GPUCommandEncoder, slotsUsed: number[]): void {
    const { device } = this.gpu;
    const pipeline = pipelineFor(device, DEQUANTISE_WGSL);
    for (const s of slotsUsed) {
      const cfg = uniformBuffer(device, [this.block, s, 1 / this.scale.g, 1 / this.scale.h], new Set([2, 3]));
      const group = bindGroup(device, pipeline, [this.hist, cfg]);
      dispatch(encoder, pipeline, group, Math.ceil(this.block / 256));
    }
  }

  /** slot dst = slot parent − slot child, for each triple. */
  subtract(triples: Array<[parent: number, child: number, dst: number]>): void {
    if (triples.length === 0) return;
    const { device } = this.gpu;
    const pipeline = pipelineFor(device, SUBTRACT_WGSL);
    const encoder = device.createCommandEncoder();
    const cfgs = triples.map(([p, c, d]) => uniformBuffer(device, [this.block, p, c, d]));
    cfgs.forEach((cfg) => {
      dispatch(encoder, pipeline, bindGroup(device, pipeline, [this.hist, cfg]), Math.ceil(this.block / 256));
    });
    device.queue.submit([encoder.finish()]);
  }

  /** Best split per node (numeric features with usable[f] = 1). */
  async findSplits(
    nodes: NodeSums[],
    binCounts: Int32Array,
    usable: Uint32Array,
    rules: SplitRulesGpu,
  ): Promise<GpuSplit[]> {
    if (nodes.length === 0) return [];
    const { device } = this.gpu;
    const pipeline = pipelineFor(device, SPLIT_WGSL);
    const nodeBuf = storageBuffer(
      device,
      Float32Array.from(nodes.flatMap((n) => [n.slot, n.g, n.h, n.count])),
    );
    const countsBuf = storageBuffer(device, binCounts);
    const usableBuf = storageBuffer(device, usable);
    const out = storageBuffer(device, nodes.length * 32);
    const cfg = uniformBuffer(
      device,
      [this.nFeatures, this.words, rules.l1, rules.l2, rules.minChildWeight, rules.minSamplesLeaf],
      new Set([2, 3, 4, 5]),
    );
    const encoder = device.createCommandEncoder();
    dispatch(
      encoder,
      pipeline,
      bindGroup(device, pipeline, [this.hist, nodeBuf, countsBuf, usableBuf, out, cfg]),
      nodes.length,
    );
    device.queue.submit([encoder.finish()]);
    const r = await readFloats(device, out, nodes.length * 8);
    for (const b of [nodeBuf, countsBuf, usableBuf, out, cfg]) b.destroy();
    return nodes.map((_, k) => ({
      gain: r[8 * k],
      feature: r[8 * k + 1],
      bin: r[8 * k + 2],
      defaultLeft: r[8 * k + 3] === 1,
      gL: r[8 * k + 4],
      hL: r[8 * k + 5],
      gR: r[8 * k + 6],
      hR: r[8 * k + 7],
    }));
  }

  /**
   * Sends the rows of split nodes to their children; splits[node · 4 …] = feature, bin, defaultLeft, left
   * child (−1 for nodes not split). Returns the row count of every node id.
   */
  async partition(splits: Int32Array, nNodes: number): Promise<Uint32Array> {
    const { device } = this.gpu;
    this.ensureNodes(nNodes);
    device.queue.writeBuffer(this.splits, 0, splits);
    const pipeline = pipelineFor(device, PARTITION_WGSL);
    const cfg = uniformBuffer(device, [this.nRows, this.words]);
    const encoder = device.createCommandEncoder();
    encoder.clearBuffer(this.counts);
    const [x, y] = grid256(this.nRows);
    dispatch(
      encoder,
      pipeline,
      bindGroup(device, pipeline, [this.bins, this.rowNode, this.splits, this.counts, cfg]),
      x,
      y,
    );
    device.queue.submit([encoder.finish()]);
    const counts = new Uint32Array(await readBack(device, this.counts, nNodes * 4));
    cfg.destroy();
    return counts;
  }

  /** One slot's histogram in the CPU layout (stride · 512 values). */
  async histogram(slot: number): Promise<Float64Array> {
    const f = await readFloats(this.gpu.device, this.hist, this.block, slot * this.block * 4);
    return Float64Array.from(f);
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
  }
}

const DEQUANTISE_WGSL = /* wgsl */ `
struct Cfg { block: u32, slot: u32, g: f32, h: f32 }
@group(0) @binding(0) var<storage, read_write> hist: array<u32>;
@group(0) @binding(1) var<uniform> cfg: Cfg;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= cfg.block) { return; }
  let at = cfg.slot * cfg.block + i;
  let s = select(cfg.g, cfg.h, (i & 1u) == 1u);
  hist[at] = bitcast<u32>(f32(bitcast<i32>(hist[at])) * s);
}`;

/**
 * Integer units per unit of gradient and hessian: as fine as possible while n rows of the largest magnitude
 * still sum below 2³¹ (so no histogram bin can overflow), at most 2¹⁶. Integer-valued inputs of small
 * magnitude get scale 1 (exact).
 */
export function quantisationScale(gh: Float64Array, n: number): { g: number; h: number } {
  let gMax = 0;
  let hMax = 0;
  for (let i = 0; i < gh.length; i += 2) {
    gMax = Math.max(gMax, Math.abs(gh[i]));
    hMax = Math.max(hMax, Math.abs(gh[i + 1]));
  }
  const budget = 2 ** 31 / Math.max(1, n) - 1;
  const pick = (max: number) => (max === 0 ? 1 : 2 ** Math.floor(Math.log2(Math.min(2 ** 16, budget / max))));
  return { g: pick(gMax), h: pick(hMax) };
}
