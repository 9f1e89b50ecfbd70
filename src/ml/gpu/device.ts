/**
 * The GPU behind the WebGPU backend: Dawn's Node binding (the `webgpu` package, a prebuilt dawn.node).
 * Dawn wants one instance per process, so the instance, the adapter and the device are created once, lazily,
 * and shared; `releaseGpu()` destroys the device so the process can exit (Dawn keeps the event loop alive).
 * Without a usable adapter (no GPU, no Vulkan driver) `gpuContext()` resolves to null and callers use the CPU.
 */
/// <reference types="@webgpu/types" />
import { useSimpleMatmul } from "./matmul.js";

/** What the worker records about the adapter it trained on. */
export interface AdapterInfo {
  vendor: string;
  device: string;
  architecture: string;
  description: string;
  /** The native API under WebGPU ("Vulkan" on Linux). */
  backend: string;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterInfo;
}

let pending: Promise<GpuContext | null> | null = null;
/**
 * The Dawn instance must outlive its devices: when it is garbage-collected under a live device, Dawn's
 * threads crash the process (seen on SwiftShader within a few dispatches). So it is held here for good.
 */
let instance: GPU | null = null;
let lastError: string | null = null;

/** Why the last discovery found no adapter (null when it found one or never ran). */
export function gpuUnavailableReason(): string | null {
  return lastError;
}

/** The shared device, created on first use; null when no adapter exists. */
export function gpuContext(): Promise<GpuContext | null> {
  pending ??= discover();
  return pending;
}

async function discover(): Promise<GpuContext | null> {
  try {
    const { create, globals } = await import("webgpu");
    // The binding's constants (GPUBufferUsage, GPUMapMode …) are globals in a browser; kernels use them.
    Object.assign(globalThis, globals);
    instance ??= create([]);
    const adapter = await instance.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) {
      lastError = "no GPU adapter found";
      return null;
    }
    const limits = adapter.limits;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: Math.min(10, limits.maxStorageBuffersPerShaderStage),
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      },
    });
    device.addEventListener("uncapturederror", (e) => {
      lastError = String((e as GPUUncapturedErrorEvent).error.message);
    });
    lastError = null;
    const info = describeAdapter(adapter.info);
    useSimpleMatmul(isCpuDriver(info));
    return { device, adapter: info };
  } catch (err) {
    lastError = `the WebGPU binding could not start: ${(err as Error).message}`;
    return null;
  }
}

function describeAdapter(info: GPUAdapterInfo): AdapterInfo {
  return {
    vendor: info.vendor || "unknown",
    device: info.device || "unknown",
    architecture: info.architecture || "",
    description: info.description || info.device || "unknown",
    backend: process.platform === "darwin" ? "Metal" : process.platform === "win32" ? "D3D12" : "Vulkan",
  };
}

/** SwiftShader (and other software drivers) run on the CPU: no workgroup tiles for them. */
export function isCpuDriver(a: AdapterInfo): boolean {
  return /swiftshader|llvmpipe|lavapipe/i.test(`${a.architecture} ${a.description} ${a.device}`);
}

/** "NVIDIA GeForce RTX 4090 (WebGPU/Vulkan)": how a result card names the adapter. */
export function adapterLabel(a: AdapterInfo): string {
  return `${a.description} (WebGPU/${a.backend})`;
}

/** Destroys the shared device so the process can exit; a later gpuContext() starts over. */
export async function releaseGpu(): Promise<void> {
  const current = pending;
  pending = null;
  const ctx = current ? await current : null;
  ctx?.device.destroy();
}
