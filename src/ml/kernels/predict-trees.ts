/**
 * Tree traversal for boosted forests as a small WebAssembly kernel. A block of rows walks one tree a level
 * at a time for the tree's whole depth, branch-free: a leaf points to itself (threshold +∞, missing goes
 * left), so rows that arrive early just stay. Each row's leaf value is then added to its output, tree after
 * tree as in the JS walk, so sums are identical. V8 checks bounds on every typed-array load of the JS walk;
 * here a step is five loads and a store.
 */
import { instantiate, kernelModule, wasm } from "./load.js";
import { PREDICT_TREES_WASM } from "./wasm/predict-trees.js";

/**
 * A node is 16 bytes at address node · 16: threshold (f64), feature · 8 (i32), and the next node's
 * address with bit 0 set when a missing value goes right (i32). Leaf values sit at VALUES + node · 8.
 * The kernel's source, with its memory layout: ./wat/predict-trees.wat.
 */
export const NODE_BYTES = 16;

const treeKernelModule = kernelModule(PREDICT_TREES_WASM);

export type Walk = (
  root: number,
  depth: number,
  x: number,
  rowBytes: number,
  out: number,
  outBytes: number,
  nodeBuf: number,
  nodeEnd: number,
  values: number,
) => void;

/** A kernel instance over its own memory of `bytes` bytes; f64 and i32 views of that memory. */
export function treeKernel(bytes: number): { walk: Walk; f64: Float64Array; i32: Int32Array } {
  const memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) });
  const { walk } = instantiate<{ walk: Walk }>(treeKernelModule(), memory);
  return { walk, f64: new Float64Array(memory.buffer), i32: new Int32Array(memory.buffer) };
}
