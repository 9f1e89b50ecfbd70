/// <reference types="@webgpu/types" />
/**
 * Small helpers over WebGPU buffers and compute pipelines: upload, read back, one cached pipeline per
 * (device, WGSL source), and one-line dispatches into a command encoder.
 */

const STORAGE = 0x80; // GPUBufferUsage.STORAGE
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const UNIFORM = 0x40;
const MAP_READ = 0x01;

/** A storage buffer holding `data` (or `bytes` zeroed bytes), readable back and writable from the CPU. */
export function storageBuffer(device: GPUDevice, data: ArrayBufferView | number): GPUBuffer {
  const bytes = typeof data === "number" ? data : data.byteLength;
  const buffer = device.createBuffer({
    size: Math.max(16, align(bytes, 4)),
    usage: STORAGE | COPY_SRC | COPY_DST,
    mappedAtCreation: typeof data !== "number",
  });
  if (typeof data !== "number") {
    new Uint8Array(buffer.getMappedRange()).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    buffer.unmap();
  }
  return buffer;
}

/** A uniform buffer of 32-bit words (u32 or f32 per `kinds`: "u" or "f"), writable later by copy. */
export function uniformBuffer(
  device: GPUDevice,
  words: Array<number>,
  floats: ReadonlySet<number> = new Set(),
): GPUBuffer {
  const buffer = device.createBuffer({
    size: align(Math.max(16, words.length * 4), 16),
    usage: UNIFORM | COPY_DST,
    mappedAtCreation: true,
  });
  const range = buffer.getMappedRange();
  const u = new Uint32Array(range);
  const f = new Float32Array(range);
  words.forEach((w, i) => {
    if (floats.has(i)) f[i] = w;
    else u[i] = w >>> 0;
  });
  buffer.unmap();
  return buffer;
}

export function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Copies `bytes` bytes of a buffer back to the CPU. */
export async function readBack(
  device: GPUDevice,
  buffer: GPUBuffer,
  bytes: number,
  offset = 0,
): Promise<ArrayBuffer> {
  const size = align(bytes, 4);
  const staging = device.createBuffer({ size: Math.max(16, size), usage: MAP_READ | COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, offset, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x01);
  const out = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  staging.destroy();
  return out;
}

export async function readFloats(
  device: GPUDevice,
  buffer: GPUBuffer,
  n: number,
  offset = 0,
): Promise<Float32Array> {
  return new Float32Array(await readBack(device, buffer, n * 4, offset));
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** The compute pipeline for a WGSL source (entry point `main`), compiled once per device. */
export function pipelineFor(device: GPUDevice, code: string): GPUComputePipeline {
  let cache = pipelines.get(device);
  if (!cache) {
    cache = new Map();
    pipelines.set(device, cache);
  }
  let p = cache.get(code);
  if (!p) {
    p = device.createComputePipeline({
      layout: "auto",
      compute: { module: device.createShaderModule({ code }), entryPoint: "main" },
    });
    cache.set(code, p);
  }
  return p;
}

/** A bind group for group 0 with the buffers at bindings 0, 1, 2 … (whole buffers or sub-ranges). */
export function bindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  buffers: Array<GPUBuffer | GPUBufferBinding>,
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((b, binding) => ({ binding, resource: "buffer" in b ? b : { buffer: b } })),
  });
}

/** Records one dispatch, into an open compute pass or into a pass of its own. */
export function dispatch(
  target: GPUCommandEncoder | GPUComputePassEncoder,
  pipeline: GPUComputePipeline,
  group: GPUBindGroup,
  x: number,
  y = 1,
  z = 1,
): void {
  const own = "beginComputePass" in target;
  const pass = own ? target.beginComputePass() : target;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(Math.max(1, x), Math.max(1, y), Math.max(1, z));
  if (own) pass.end();
}

/** Submits an encoder's work and waits for the queue to finish it. */
export async function submitAndWait(device: GPUDevice, encoder: GPUCommandEncoder): Promise<void> {
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
}

export { COPY_DST, COPY_SRC, STORAGE, UNIFORM };
