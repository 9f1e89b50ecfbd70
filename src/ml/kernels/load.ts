/**
 * Loading the engine's WebAssembly kernels. Each kernel's source is a `.wat` file in ./wat, compiled by
 * `npm run build:kernels` (wabt, at build time) into ./wasm/<name>.wasm and ./wasm/<name>.ts, the same
 * bytes as base64: a plain module, so the bytes reach every place the engine runs (worker threads, cloud
 * workers, the esbuild Lambda bundle). Here they are only decoded and compiled by V8, once per process.
 */

/** The parts of the WebAssembly global used here (the project's libs type its namespace, not its value). */
interface WasmApi {
  Memory: new (size: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A getter for the compiled module of a kernel's base64 bytes, compiled on first use. */
export function kernelModule(base64: string): () => object {
  let compiled: object | undefined;
  return () => {
    compiled ??= new wasm.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    return compiled;
  };
}

/** An instance of a kernel module over `memory`, with its exported functions. */
export function instantiate<Exports>(module: object, memory: object): Exports {
  return new wasm.Instance(module, { env: { memory } }).exports as Exports;
}
