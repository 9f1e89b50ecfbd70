/// <reference types="@webgpu/types" />
/**
 * Raw scores of a fitted booster on the GPU (one thread per row walks every tree): for large prediction
 * files, and to check that a GPU-trained model scores the same on both paths. Numeric splits and uint8
 * bins only (the GPU booster's).
 */

import { binRows, MISSING_BIN, missingBin } from "../models/hist/binning.js";
import type { BoosterFitted } from "../models/hist/booster.js";
import type { ColumnTable } from "../models/hist/columns.js";
import { rowStride } from "../models/hist/histogram.js";
import { bindGroup, dispatch, pipelineFor, readFloats, storageBuffer, uniformBuffer } from "./buffers.js";
import type { GpuContext } from "./device.js";
import { TRAVERSE_WGSL } from "./hist-kernels.js";
import { grid256 } from "./mlp-kernels.js";

export async function predictRawGpu(
  gpu: GpuContext,
  f: BoosterFitted,
  table: ColumnTable,
): Promise<Float32Array> {
  if (f.outputs !== 1 || f.forest.catBits.length > 0 || missingBin(f.mapper) !== MISSING_BIN) {
    throw new RangeError("The GPU traversal scores one-output boosters with numeric splits on uint8 bins.");
  }
  const { device } = gpu;
  const n = table.nRows;
  const stride = rowStride(f.nFeatures);
  const bins = binRows(f.mapper, table, 0, n, undefined, stride);
  const { forest } = f;
  const nodes = new Int32Array(4 * forest.feature.length);
  for (let k = 0; k < forest.feature.length; k++)
    nodes.set([forest.feature[k], forest.bin[k], forest.flags[k], forest.child[k]], 4 * k);
  const buffers = [
    storageBuffer(device, bins),
    storageBuffer(device, forest.roots),
    storageBuffer(device, nodes),
    storageBuffer(device, Float32Array.from(forest.values)),
    storageBuffer(device, new Float32Array(n).fill(f.init[0])),
    uniformBuffer(device, [n, stride / 4, forest.nTrees, 0]),
  ];
  try {
    const pipeline = pipelineFor(device, TRAVERSE_WGSL);
    const encoder = device.createCommandEncoder();
    const [x, y] = grid256(n);
    dispatch(encoder, pipeline, bindGroup(device, pipeline, buffers), x, y);
    device.queue.submit([encoder.finish()]);
    return await readFloats(device, buffers[4], n);
  } finally {
    for (const b of buffers) b.destroy();
  }
}
