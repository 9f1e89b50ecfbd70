/// <reference types="@webgpu/types" />
/**
 * Tiled matrix multiply on the GPU: C (m × n) = scale · op(A) · op(B) [+ bias] [+ addScale · AUX], then an
 * optional epilogue (an activation, or a multiply by an activation's derivative read from AUX). 16 × 16
 * tiles of A and B are staged in workgroup memory, so each element is read from global memory once per
 * tile instead of once per product. Transposed operands are read in place (no transpose pass), which gives
 * the MLP's three products from one kernel: Z = A·Wᵀ + b, ∇W = Dᵀ·A / rows + α·W / rows, D' = (D·W) ⊙ f'(A).
 */
import { bindGroup, dispatch, pipelineFor, storageBuffer, uniformBuffer } from "./buffers.js";

export const TILE = 16;

/** Epilogues (the `epilogue` word of the uniform). */
export const Epilogue = {
  none: 0,
  relu: 1,
  tanh: 2,
  logistic: 3,
  addAux: 4,
  reluDerivative: 5,
  tanhDerivative: 6,
  logisticDerivative: 7,
} as const;

export const MATMUL_WGSL = /* wgsl */ `
struct Dims { m: u32, n: u32, k: u32, transA: u32, transB: u32, epilogue: u32, hasBias: u32, scale: f32, addScale: f32 }
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<f32>;
@group(0) @binding(5) var<uniform> d: Dims;
var<workgroup> tileA: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tileB: array<array<f32, ${TILE}>, ${TILE}>;

fn loadA(i: u32, k: u32) -> f32 {
  if (i >= d.m || k >= d.k) { return 0.0; }
  if (d.transA == 1u) { return A[k * d.m + i]; }
  return A[i * d.k + k];
}
fn loadB(k: u32, j: u32) -> f32 {
  if (k >= d.k || j >= d.n) { return 0.0; }
  if (d.transB == 1u) { return B[j * d.k + k]; }
  return B[k * d.n + j];
}

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let i = wg.y * ${TILE}u + l.y;
  let j = wg.x * ${TILE}u + l.x;
  var acc = 0.0;
  let tiles = (d.k + ${TILE - 1}u) / ${TILE}u;
  for (var t = 0u; t < tiles; t++) {
    tileA[l.y][l.x] = loadA(i, t * ${TILE}u + l.x);
    tileB[l.y][l.x] = loadB(t * ${TILE}u + l.y, j);
    workgroupBarrier();
    for (var q = 0u; q < ${TILE}u; q++) { acc += tileA[l.y][q] * tileB[q][l.x]; }
    workgroupBarrier();
  }
  if (i >= d.m || j >= d.n) { return; }
  let at = i * d.n + j;
  var v = d.scale * acc;
  if (d.hasBias == 1u) { v += bias[j]; }
  switch d.epilogue {
    case 1u: { v = max(v, 0.0); }
    case 2u: { v = tanh(v); }
    case 3u: { v = 1.0 / (1.0 + exp(-v)); }
    case 4u: { v += d.addScale * aux[at]; }
    case 5u: { v = select(0.0, v, aux[at] > 0.0); }
    case 6u: { v *= 1.0 - aux[at] * aux[at]; }
    case 7u: { v *= aux[at] * (1.0 - aux[at]); }
    default: {}
  }
  C[at] = v;
}`;

/**
 * The same product without workgroup tiles: one thread per output, no barriers. CPU drivers (SwiftShader)
 * run workgroup barriers as fiber switches, which makes the tiled kernel many times slower there; GPUs get
 * the tiled one.
 */
export const MATMUL_SIMPLE_WGSL = MATMUL_WGSL.slice(0, MATMUL_WGSL.indexOf("var<workgroup> tileA"))
  .concat(MATMUL_WGSL.slice(MATMUL_WGSL.indexOf("fn loadA"), MATMUL_WGSL.indexOf("@compute")))
  .concat(`@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.y;
  let j = g.x;
  if (i >= d.m || j >= d.n) { return; }
  var acc = 0.0;
  for (var q = 0u; q < d.k; q++) { acc += loadA(i, q) * loadB(q, j); }
`)
  .concat(MATMUL_WGSL.slice(MATMUL_WGSL.indexOf("  let at = i * d.n + j;")));

/** Tiled on GPUs, simple on CPU drivers (see MATMUL_SIMPLE_WGSL). */
let preferSimple = false;
export function useSimpleMatmul(simple: boolean): void {
  preferSimple = simple;
}
function matmulCode(): string {
  return preferSimple ? MATMUL_SIMPLE_WGSL : MATMUL_WGSL;
}

export interface MatmulShape {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  epilogue?: number;
  scale?: number;
  addScale?: number;
}

/** The uniform for one product (kept with its bind group when the product repeats every batch). */
export function matmulUniform(device: GPUDevice, s: MatmulShape, hasBias: boolean): GPUBuffer {
  return uniformBuffer(
    device,
    [
      s.m,
      s.n,
      s.k,
      s.transA ? 1 : 0,
      s.transB ? 1 : 0,
      s.epilogue ?? 0,
      hasBias ? 1 : 0,
      s.scale ?? 1,
      s.addScale ?? 0,
    ],
    new Set([7, 8]),
  );
}

/** A recorded product: bind group and workgroup counts, ready to dispatch any number of times. */
export interface MatmulOp {
  code: string;
  group: GPUBindGroup;
  x: number;
  y: number;
}

type Binding = GPUBuffer | GPUBufferBinding;

export function matmulOp(
  device: GPUDevice,
  s: MatmulShape,
  a: Binding,
  b: Binding,
  c: Binding,
  opts: { bias?: Binding; aux?: Binding; dummy: GPUBuffer },
): MatmulOp {
  const pipeline = pipelineFor(device, matmulCode());
  const uniform = matmulUniform(device, s, opts.bias !== undefined);
  const group = bindGroup(device, pipeline, [
    a,
    b,
    c,
    opts.bias ?? opts.dummy,
    opts.aux ?? opts.dummy,
    uniform,
  ]);
  return { code: matmulCode(), group, x: Math.ceil(s.n / TILE), y: Math.ceil(s.m / TILE) };
}

export function encodeMatmul(
  device: GPUDevice,
  encoder: GPUCommandEncoder | GPUComputePassEncoder,
  op: MatmulOp,
): void {
  dispatch(encoder, pipelineFor(device, op.code), op.group, op.x, op.y);
}

/** One product on fresh buffers, read back (for tests and one-off use). */
export async function matmulOnce(
  device: GPUDevice,
  s: MatmulShape,
  a: Float32Array,
  b: Float32Array,
  extra: { bias?: Float32Array; aux?: Float32Array } = {},
): Promise<Float32Array> {
  const { readFloats } = await import("./buffers.js");
  const A = storageBuffer(device, a);
  const B = storageBuffer(device, b);
  const C = storageBuffer(device, s.m * s.n * 4);
  const dummy = storageBuffer(device, 16);
  const bias = extra.bias ? storageBuffer(device, extra.bias) : undefined;
  const aux = extra.aux ? storageBuffer(device, extra.aux) : undefined;
  const op = matmulOp(device, s, A, B, C, { bias, aux, dummy });
  const encoder = device.createCommandEncoder();
  encodeMatmul(device, encoder, op);
  device.queue.submit([encoder.finish()]);
  const out = await readFloats(device, C, s.m * s.n);
  for (const buf of [A, B, C, dummy, bias, aux]) buf?.destroy();
  return out;
}
