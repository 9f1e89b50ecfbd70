/// <reference types="@webgpu/types" />
/**
 * MLP training on the GPU, the same algorithm as models/mlp.ts in float32: Glorot initialisation from the
 * same seeded generator, shuffled mini-batches, forward and backward passes as tiled products, Adam, early
 * stopping on the same held-out rows with the best weights kept (copied on the GPU). The data, targets,
 * activations and optimiser state stay on the GPU for the whole fit; each epoch is one command buffer, and
 * only the per-batch losses and the validation loss come back.
 */
import type { Matrix } from "../matrix.js";
import { type FitContext, pastDeadline } from "../models/base.js";
import { Network, type NetworkWeights, type OutputActivation } from "../models/mlp/network.js";
import type { MlpParams } from "../models/mlp.js";
import { holdOut as holdOutRows } from "../models/mlp.js";
import {
  align,
  bindGroup,
  dispatch,
  pipelineFor,
  readFloats,
  storageBuffer,
  uniformBuffer,
} from "./buffers.js";
import type { GpuContext } from "./device.js";
import { Epilogue, encodeMatmul, type MatmulOp, matmulOp } from "./matmul.js";
import { ADAM_WGSL, BIAS_GRAD_WGSL, GATHER_WGSL, grid256, OUTPUT_WGSL, REDUCE_WGSL } from "./mlp-kernels.js";

/** Rows per forward chunk when scoring the validation rows. */
const EVAL_CHUNK = 8192;
/** Batches per command buffer (bounds the size of one submission). */
const BATCHES_PER_SUBMIT = 512;
const SEGMENT = 64; // floats: parameter segments start at 256-byte offsets (storage binding alignment)

const OUTPUT_KIND: Record<OutputActivation, number> = { identity: 0, logistic: 1, softmax: 2 };
const ACTIVATION_EPILOGUE = { relu: Epilogue.relu, tanh: Epilogue.tanh, logistic: Epilogue.logistic };
const DERIVATIVE_EPILOGUE = {
  relu: Epilogue.reluDerivative,
  tanh: Epilogue.tanhDerivative,
  logistic: Epilogue.logisticDerivative,
};

/** Where each layer's weights and biases sit in the one parameter buffer (W first, then b). */
interface Layout {
  sizes: number[];
  wOff: number[];
  bOff: number[];
  wEnd: number;
  count: number;
}

function layoutOf(sizes: number[]): Layout {
  const wOff: number[] = [];
  const bOff: number[] = [];
  let at = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    wOff.push(at);
    at += align(sizes[l] * sizes[l + 1], SEGMENT);
  }
  const wEnd = at;
  for (let l = 0; l + 1 < sizes.length; l++) {
    bOff.push(at);
    at += align(sizes[l + 1], SEGMENT);
  }
  return { sizes, wOff, bOff, wEnd, count: at };
}

function packWeights(w: NetworkWeights, layout: Layout): Float32Array {
  const out = new Float32Array(layout.count);
  w.W.forEach((W, l) => {
    out.set(W, layout.wOff[l]);
  });
  w.b.forEach((b, l) => {
    out.set(b, layout.bOff[l]);
  });
  return out;
}

function unpackWeights(flat: Float32Array, layout: Layout, like: NetworkWeights): NetworkWeights {
  const { sizes } = layout;
  return {
    ...like,
    sizes: [...sizes],
    W: like.W.map((_, l) =>
      Float64Array.from(flat.subarray(layout.wOff[l], layout.wOff[l] + sizes[l] * sizes[l + 1])),
    ),
    b: like.b.map((_, l) => Float64Array.from(flat.subarray(layout.bOff[l], layout.bOff[l] + sizes[l + 1]))),
  };
}

const f32 = (a: Float64Array) => Float32Array.from(a);
const range = (buffer: GPUBuffer, floatOffset: number, floats: number): GPUBufferBinding => ({
  buffer,
  offset: floatOffset * 4,
  size: Math.max(4, floats * 4),
});

/**
 * Trains on X (n × p) against targets (n × outWidth), as mlp.ts's train(); returns the weights (the best
 * on the validation rows with early stopping) and the epochs run.
 */
export async function trainMlpGpu(
  gpu: GpuContext,
  X: Matrix,
  targets: Float64Array,
  outWidth: number,
  output: OutputActivation,
  params: MlpParams,
  ctx: FitContext,
): Promise<{ weights: NetworkWeights; epochs: number }> {
  const { device } = gpu;
  const sizes = [X.cols, ...params.hiddenLayerSizes, outWidth];
  const L = sizes.length - 1;
  const init = Network.create(sizes, params.activation, output, ctx.rng).snapshot();
  const { trainRows, validRows } = holdOutRows(X.rows, params, ctx.rng);
  const nTrain = trainRows.length;
  const batch = Math.min(params.batchSize ?? 200, nTrain);
  const layout = layoutOf(sizes);
  const owned: GPUBuffer[] = [];
  const own = (b: GPUBuffer) => {
    owned.push(b);
    return b;
  };
  try {
    const dummy = own(storageBuffer(device, 16));
    const Xbuf = own(storageBuffer(device, Float32Array.from(X.data)));
    const Tbuf = own(storageBuffer(device, Float32Array.from(targets)));
    const order = own(storageBuffer(device, nTrain * 4));
    const paramsBuf = own(storageBuffer(device, packWeights(init, layout)));
    const best = own(storageBuffer(device, layout.count * 4));
    const grads = own(storageBuffer(device, layout.count * 4));
    const m = own(storageBuffer(device, layout.count * 4));
    const v = own(storageBuffer(device, layout.count * 4));
    const acts = sizes.map((s) => own(storageBuffer(device, batch * s * 4)));
    const deltas = sizes.map((s) => own(storageBuffer(device, batch * s * 4)));
    const Tb = own(storageBuffer(device, batch * outWidth * 4));
    const lossRows = own(storageBuffer(device, Math.max(batch, EVAL_CHUNK) * 4));
    const nBatches = Math.ceil(nTrain / batch);
    const batchLoss = own(storageBuffer(device, nBatches * 4));
    const infos = own(storageBuffer(device, nBatches * 16));
    const batchU = own(uniformBuffer(device, [0, 0, 0, 0]));
    const W = (l: number) => range(paramsBuf, layout.wOff[l], sizes[l] * sizes[l + 1]);
    const B = (l: number) => range(paramsBuf, layout.bOff[l], sizes[l + 1]);

    /** The dispatches of one mini-batch of `rows` rows (the last batch may be shorter). */
    const planFor = (rows: number) => {
      const gather = pipelineFor(device, GATHER_WGSL);
      const gatherX = bindGroup(device, gather, [
        Xbuf,
        order,
        acts[0],
        batchU,
        own(uniformBuffer(device, [X.cols])),
      ]);
      const gatherT = bindGroup(device, gather, [
        Tbuf,
        order,
        Tb,
        batchU,
        own(uniformBuffer(device, [outWidth])),
      ]);
      const forward: MatmulOp[] = [];
      for (let l = 0; l < L; l++) {
        const epilogue = l < L - 1 ? ACTIVATION_EPILOGUE[params.activation] : Epilogue.none;
        forward.push(
          matmulOp(
            device,
            { m: rows, n: sizes[l + 1], k: sizes[l], transB: true, epilogue },
            acts[l],
            W(l),
            acts[l + 1],
            {
              bias: B(l),
              dummy,
            },
          ),
        );
      }
      const out = pipelineFor(device, OUTPUT_WGSL);
      const outCfg = own(uniformBuffer(device, [outWidth, OUTPUT_KIND[output], 1, 0]));
      const outGroup = bindGroup(device, out, [acts[L], Tb, deltas[L], lossRows, batchU, outCfg]);
      const reduce = pipelineFor(device, REDUCE_WGSL);
      const reduceCfg = own(uniformBuffer(device, [layout.wEnd, 1, 0.5 * params.alpha], new Set([2])));
      const reduceGroup = bindGroup(device, reduce, [lossRows, paramsBuf, batchLoss, batchU, reduceCfg]);
      const backward: Array<{ gW: MatmulOp; gB: GPUBindGroup; width: number; dPrev: MatmulOp | null }> = [];
      const biasGrad = pipelineFor(device, BIAS_GRAD_WGSL);
      for (let l = L - 1; l >= 0; l--) {
        const [nIn, nOut] = [sizes[l], sizes[l + 1]];
        const gW = matmulOp(
          device,
          {
            m: nOut,
            n: nIn,
            k: rows,
            transA: true,
            epilogue: Epilogue.addAux,
            scale: 1 / rows,
            addScale: params.alpha / rows,
          },
          deltas[l + 1],
          acts[l],
          range(grads, layout.wOff[l], nIn * nOut),
          { aux: W(l), dummy },
        );
        const gB = bindGroup(device, biasGrad, [
          deltas[l + 1],
          range(grads, layout.bOff[l], nOut),
          batchU,
          own(uniformBuffer(device, [nOut])),
        ]);
        const dPrev =
          l === 0
            ? null
            : matmulOp(
                device,
                { m: rows, n: nIn, k: nOut, epilogue: DERIVATIVE_EPILOGUE[params.activation] },
                deltas[l + 1],
                W(l),
                deltas[l],
                { aux: acts[l], dummy },
              );
        backward.push({ gW, gB, width: nOut, dPrev });
      }
      const adam = pipelineFor(device, ADAM_WGSL);
      const adamCfg = own(uniformBuffer(device, [layout.count, params.learningRateInit], new Set([1])));
      const adamGroup = bindGroup(device, adam, [paramsBuf, grads, m, v, batchU, adamCfg]);
      // One compute pass per batch: each dispatch in it still sees the previous one's writes.
      return (encoder: GPUCommandEncoder) => {
        const pass = encoder.beginComputePass();
        const [gx, gy] = grid256(rows * Math.max(X.cols, outWidth));
        dispatch(pass, gather, gatherX, gx, gy);
        dispatch(pass, gather, gatherT, gx, gy);
        for (const op of forward) encodeMatmul(device, pass, op);
        dispatch(pass, out, outGroup, Math.ceil(rows / 64));
        // The loss's L2 term uses the weights before this batch's update, as the CPU engine does.
        dispatch(pass, reduce, reduceGroup, 1);
        for (const step of backward) {
          encodeMatmul(device, pass, step.gW);
          dispatch(pass, biasGrad, step.gB, Math.ceil(step.width / 64));
          if (step.dPrev) encodeMatmul(device, pass, step.dPrev);
        }
        const [ax, ay] = grid256(layout.count);
        dispatch(pass, adam, adamGroup, ax, ay);
        pass.end();
      };
    };
    const full = planFor(batch);
    const lastRows = nTrain - (nBatches - 1) * batch;
    const last = lastRows === batch ? full : planFor(lastRows);
    const evaluate = validRows
      ? validationScorer(gpu, X, targets, validRows, sizes, params, output, paramsBuf, own)
      : null;

    let bestLoss = Number.POSITIVE_INFINITY;
    let stale = 0;
    let epoch = 0;
    let step = 0;
    let haveBest = false;
    const table = new Uint32Array(nBatches * 4);
    for (; epoch < params.maxIter; epoch++) {
      ctx.rng.shuffle(trainRows);
      device.queue.writeBuffer(order, 0, trainRows);
      for (let k = 0; k < nBatches; k++) {
        table.set([k * batch, ++step, k === nBatches - 1 ? lastRows : batch, k], 4 * k);
      }
      device.queue.writeBuffer(infos, 0, table);
      for (let from = 0; from < nBatches; from += BATCHES_PER_SUBMIT) {
        const encoder = device.createCommandEncoder();
        for (let k = from; k < Math.min(nBatches, from + BATCHES_PER_SUBMIT); k++) {
          encoder.copyBufferToBuffer(infos, 16 * k, batchU, 0, 16);
          (k === nBatches - 1 ? last : full)(encoder);
        }
        device.queue.submit([encoder.finish()]);
      }
      const losses = await readFloats(device, batchLoss, nBatches);
      let trainLoss = 0;
      for (const x of losses) trainLoss += x;
      trainLoss /= nTrain;
      const loss = evaluate ? await evaluate() : trainLoss;
      if (!Number.isFinite(loss)) throw new RangeError("The network's loss became non-finite on the GPU.");
      if (loss < bestLoss - params.tol) stale = 0;
      else stale++;
      if (loss < bestLoss) {
        bestLoss = loss;
        if (evaluate) {
          const encoder = device.createCommandEncoder();
          encoder.copyBufferToBuffer(paramsBuf, 0, best, 0, layout.count * 4);
          device.queue.submit([encoder.finish()]);
          haveBest = true;
        }
      }
      ctx.onProgress?.((epoch + 1) / params.maxIter, `Epoch ${epoch + 1}`);
      if (stale >= params.nIterNoChange || pastDeadline(ctx)) {
        epoch++;
        break;
      }
    }
    const flat = await readFloats(device, haveBest ? best : paramsBuf, layout.count);
    return { weights: unpackWeights(flat, layout, init), epochs: epoch };
  } finally {
    for (const b of owned) b.destroy();
  }
}

/** Mean data loss of the current weights on the validation rows (forward in chunks on the GPU). */
function validationScorer(
  gpu: GpuContext,
  X: Matrix,
  targets: Float64Array,
  validRows: Int32Array,
  sizes: number[],
  params: MlpParams,
  output: OutputActivation,
  paramsBuf: GPUBuffer,
  own: (b: GPUBuffer) => GPUBuffer,
): () => Promise<number> {
  const { device } = gpu;
  const L = sizes.length - 1;
  const width = sizes[L];
  const layout = layoutOf(sizes);
  const nv = validRows.length;
  const xv = new Float32Array(nv * X.cols);
  const tv = new Float32Array(nv * width);
  for (let i = 0; i < nv; i++) {
    const r = validRows[i];
    xv.set(f32(X.data.subarray(r * X.cols, (r + 1) * X.cols)), i * X.cols);
    tv.set(f32(targets.subarray(r * width, (r + 1) * width)), i * width);
  }
  const chunk = Math.min(EVAL_CHUNK, nv);
  const dummy = own(storageBuffer(device, 16));
  const Xv = own(storageBuffer(device, xv));
  const Tv = own(storageBuffer(device, tv));
  const acts = sizes.map((s, l) => (l === 0 ? null : own(storageBuffer(device, chunk * s * 4))));
  const lossRows = own(storageBuffer(device, chunk * 4));
  const nChunks = Math.ceil(nv / chunk);
  const chunkLoss = own(storageBuffer(device, nChunks * 4));
  const out = pipelineFor(device, OUTPUT_WGSL);
  const reduce = pipelineFor(device, REDUCE_WGSL);
  const outCfg = own(uniformBuffer(device, [width, OUTPUT_KIND[output], 0, 1]));
  const reduceCfg = own(uniformBuffer(device, [0, 0, 0], new Set([2])));
  const passes = Array.from({ length: nChunks }, (_, c) => {
    const start = c * chunk;
    const rows = Math.min(chunk, nv - start);
    const batchU = own(uniformBuffer(device, [start, 0, rows, c]));
    const ops = Array.from({ length: L }, (_, l) =>
      matmulOp(
        device,
        {
          m: rows,
          n: sizes[l + 1],
          k: sizes[l],
          transB: true,
          epilogue: l < L - 1 ? ACTIVATION_EPILOGUE[params.activation] : Epilogue.none,
        },
        l === 0 ? range(Xv, start * sizes[0], rows * sizes[0]) : (acts[l] as GPUBuffer),
        range(paramsBuf, layout.wOff[l], sizes[l] * sizes[l + 1]),
        acts[l + 1] as GPUBuffer,
        { bias: range(paramsBuf, layout.bOff[l], sizes[l + 1]), dummy },
      ),
    );
    const outGroup = bindGroup(device, out, [acts[L] as GPUBuffer, Tv, dummy, lossRows, batchU, outCfg]);
    const reduceGroup = bindGroup(device, reduce, [lossRows, paramsBuf, chunkLoss, batchU, reduceCfg]);
    return { ops, outGroup, reduceGroup, rows };
  });
  return async () => {
    const encoder = device.createCommandEncoder();
    for (const p of passes) {
      for (const op of p.ops) encodeMatmul(device, encoder, op);
      dispatch(encoder, out, p.outGroup, Math.ceil(p.rows / 64));
      dispatch(encoder, reduce, p.reduceGroup, 1);
    }
    device.queue.submit([encoder.finish()]);
    const losses = await readFloats(device, chunkLoss, nChunks);
    let s = 0;
    for (const x of losses) s += x;
    return s / nv;
  };
}

/** The network's outputs (n × last layer) computed on the GPU, for checking against the CPU forward pass. */
export async function forwardMlpGpu(
  gpu: GpuContext,
  weights: NetworkWeights,
  X: Matrix,
): Promise<Float32Array> {
  const { device } = gpu;
  const { sizes } = weights;
  const L = sizes.length - 1;
  const layout = layoutOf(sizes);
  const owned: GPUBuffer[] = [];
  const own = (b: GPUBuffer) => {
    owned.push(b);
    return b;
  };
  try {
    const dummy = own(storageBuffer(device, 16));
    const paramsBuf = own(storageBuffer(device, packWeights(weights, layout)));
    const acts = sizes.map((s, l) =>
      own(l === 0 ? storageBuffer(device, Float32Array.from(X.data)) : storageBuffer(device, X.rows * s * 4)),
    );
    const encoder = device.createCommandEncoder();
    for (let l = 0; l < L; l++) {
      const epilogue = l < L - 1 ? ACTIVATION_EPILOGUE[weights.activation] : Epilogue.none;
      const op = matmulOp(
        device,
        { m: X.rows, n: sizes[l + 1], k: sizes[l], transB: true, epilogue },
        acts[l],
        range(paramsBuf, layout.wOff[l], sizes[l] * sizes[l + 1]),
        acts[l + 1],
        { bias: range(paramsBuf, layout.bOff[l], sizes[l + 1]), dummy },
      );
      encodeMatmul(device, encoder, op);
    }
    const out = pipelineFor(device, OUTPUT_WGSL);
    const group = bindGroup(device, out, [
      acts[L],
      dummy,
      own(storageBuffer(device, 16)),
      own(storageBuffer(device, X.rows * 4)),
      own(uniformBuffer(device, [0, 0, X.rows, 0])),
      own(uniformBuffer(device, [sizes[L], OUTPUT_KIND[weights.output], 0, 0])),
    ]);
    dispatch(encoder, out, group, Math.ceil(X.rows / 64));
    device.queue.submit([encoder.finish()]);
    return await readFloats(device, acts[L], X.rows * sizes[L]);
  } finally {
    for (const b of owned) b.destroy();
  }
}
