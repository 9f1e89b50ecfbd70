/**
 * Reading and fitting in a worker thread. `trainModel` is synchronous and a fit can take minutes; run on the
 * worker's own event loop it would freeze progress writes, the job's deadline and the SIGTERM handler until
 * it ends. In a thread the loop stays free: progress reaches storage while the fit runs, and a deadline or a
 * SIGTERM ends the process (and the thread with it) at once.
 *
 * The thread loads this same module: under tsx (local workers, tests) it registers tsx first; in the worker
 * image, `import.meta.url` is the bundle itself, whose entry point does nothing in a thread.
 */
import { readFile } from "node:fs/promises";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { type ErrorResponse, errorFromResponse, toErrorResponse } from "../errors.js";
import { adapterLabel, gpuContext, gpuUnavailableReason, releaseGpu } from "../ml/gpu/device.js";
import { type ComputeUsed, type Device, trainOnDevice } from "../ml/gpu/train.js";
import { readTable } from "../ml/index.js";
import type { TrainProgress, TrainResult, TrainSpec } from "../ml/types.js";

const ROLE = "sma-fit";

interface FitRequest {
  role: typeof ROLE;
  /** The module to load in the thread: this file, or the bundle that contains it. */
  entry: string;
  tsx?: string;
  dataPath: string;
  spec: TrainSpec;
  device: Device;
}

type FitMessage =
  | { type: "read"; nRows: number; nColumns: number }
  | { type: "adapter"; line: string }
  | { type: "progress"; progress: TrainProgress }
  | { type: "done"; result: TrainResult; compute: ComputeUsed }
  | { type: "failed"; error: ErrorResponse };

export interface FitCallbacks {
  onRead?(shape: { nRows: number; nColumns: number }): void;
  /** A GPU job's adapter, found at the start ("GPU adapter: …" or "no GPU adapter: …"). */
  onAdapter?(line: string): void;
  onProgress?(progress: TrainProgress): void;
}

/** Code the thread starts with: registers tsx when the entry is TypeScript, then loads the entry. */
const BOOT = `const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((error) => { throw error; });`;

/**
 * Reads the dataset file and trains in a thread (on the GPU when `device` allows and an adapter exists: Dawn
 * runs in worker threads too); resolves with the result and what trained it, or rejects with the AppError.
 */
export function fitInThread(
  dataPath: string,
  spec: TrainSpec,
  callbacks: FitCallbacks = {},
  device: Device = "cpu",
): Promise<{ result: TrainResult; compute: ComputeUsed }> {
  const entry = import.meta.url;
  const request: FitRequest = {
    role: ROLE,
    entry,
    tsx: entry.endsWith(".ts") ? import.meta.resolve("tsx/esm/api") : undefined,
    dataPath,
    spec,
    device,
  };
  return new Promise((resolve, reject) => {
    const thread = new Worker(BOOT, { eval: true, workerData: request });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void thread.terminate();
    };
    thread.on("message", (message: FitMessage) => {
      if (message.type === "read") callbacks.onRead?.(message);
      else if (message.type === "adapter") callbacks.onAdapter?.(message.line);
      else if (message.type === "progress") callbacks.onProgress?.(message.progress);
      else if (message.type === "done")
        settle(() => resolve({ result: message.result, compute: message.compute }));
      else settle(() => reject(errorFromResponse(message.error)));
    });
    thread.on("error", (error) => settle(() => reject(error)));
    thread.on("exit", (code) =>
      settle(() => reject(new Error(`The training thread stopped unexpectedly (exit code ${code}).`))),
    );
  });
}

/** The thread's side: read, fit, send the result back. */
async function runFit(request: FitRequest): Promise<void> {
  const port = parentPort!;
  const send = (message: FitMessage) => port.postMessage(message);
  try {
    if (request.device === "gpu") {
      const gpu = await gpuContext();
      const line = gpu
        ? `GPU adapter: ${adapterLabel(gpu.adapter)}`
        : `no GPU adapter: ${gpuUnavailableReason()}`;
      send({ type: "adapter", line });
    }
    const frame = await readTable(new Uint8Array(await readFile(request.dataPath)), {
      fileName: request.dataPath,
    });
    send({ type: "read", nRows: frame.nRows, nColumns: frame.columns.length });
    const { result, compute } = await trainOnDevice(frame, request.spec, request.device, (progress) =>
      send({ type: "progress", progress }),
    );
    send({ type: "done", result, compute });
  } catch (error) {
    send({ type: "failed", error: toErrorResponse(error) });
  } finally {
    await releaseGpu();
  }
}

if (!isMainThread && (workerData as Partial<FitRequest> | undefined)?.role === ROLE) {
  void runFit(workerData as FitRequest);
}
