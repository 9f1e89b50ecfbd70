/**
 * Tree traversal for boosted forests as a small WebAssembly kernel. A block of rows walks one tree a level
 * at a time for the tree's whole depth, branch-free: a leaf points to itself (threshold +∞, missing goes
 * left), so rows that arrive early just stay. Each row's leaf value is then added to its output, tree after
 * tree as in the JS walk, so sums are identical. V8 checks bounds on every typed-array load of the JS walk;
 * here a step is five loads and a store.
 */
import { code, get, I32, i32Const, moduleBinary, OP, set, tee, wasm } from "./wasm.js";

// Instruction bytes not in wasm.ts (WebAssembly core spec).
const i32Load = (offset: number) => [0x28, 2, offset];
const i32Store = (offset: number) => [0x36, 2, offset];
const f64Load = (offset: number) => [0x2b, 3, offset];
const f64Store = (offset: number) => [0x39, 3, offset];
const I32_LT_U = [0x49];
const I32_AND = [0x71];
const I32_OR = [0x72];
const I32_SHL = [0x74];
const I32_SHR_U = [0x76];
const F64_NE = [0x62];
const F64_GT = [0x64];
const F64_ADD = [0xa0];

/**
 * A node is 16 bytes at address node · 16: threshold (f64), feature · 8 (i32), and the next node's
 * address with bit 0 set when a missing value goes right (i32). Leaf values sit at VALUES + node · 8.
 */
export const NODE_BYTES = 16;

// Parameters, by index.
const ROOT = 0; // root node address
const DEPTH = 1;
const X = 2; // first row's values; rows ROW_BYTES apart
const ROW_BYTES = 3;
const OUT = 4; // first row's output cell; rows OUT_BYTES apart
const OUT_BYTES = 5;
const NODE_BUF = 6; // one i32 node address per row
const NODE_END = 7; // NODE_BUF + 4 · rows
const VALUES = 8;
// Locals.
const P = 9;
const ROW = 10;
const ND = 11;
const W = 12;
const LEVEL = 13;
const V = 14; // f64

/** Rows stay at their node when it is a leaf; otherwise go left or right of the threshold. */
function levelSweep(): number[] {
  // biome-ignore format: one line per instruction group
  return code(
    get(NODE_BUF), set(P), get(X), set(ROW),
    OP.loop,
    get(P), i32Load(0), set(ND),
    get(ROW), get(ND), i32Load(8), OP.i32Add, f64Load(0), set(V),
    get(ND), i32Load(12), set(W),
    get(P),
    get(W), i32Const(-2), I32_AND,
    get(V), get(ND), f64Load(0), F64_GT,
    get(V), get(V), F64_NE, get(W), I32_AND, I32_OR,
    i32Const(4), I32_SHL, OP.i32Add,
    i32Store(0),
    get(ROW), get(ROW_BYTES), OP.i32Add, set(ROW),
    get(P), i32Const(4), OP.i32Add, tee(P), get(NODE_END), I32_LT_U, OP.brIf, [0],
    OP.end,
  );
}

/** walk(root, depth, x, rowBytes, out, outBytes, nodeBuf, nodeEnd, values): adds each row's leaf value. */
function walkBody(): number[] {
  // biome-ignore format: one line per instruction group
  return code(
    get(NODE_BUF), set(P),
    OP.loop,
    get(P), get(ROOT), i32Store(0),
    get(P), i32Const(4), OP.i32Add, tee(P), get(NODE_END), I32_LT_U, OP.brIf, [0],
    OP.end,
    i32Const(0), set(LEVEL),
    OP.block, OP.loop,
    get(LEVEL), get(DEPTH), OP.i32GeU, OP.brIf, [1],
    levelSweep(),
    get(LEVEL), i32Const(1), OP.i32Add, set(LEVEL),
    OP.br, [0],
    OP.end, OP.end,
    get(NODE_BUF), set(P), get(OUT), set(ROW),
    OP.loop,
    get(ROW),
    get(ROW), f64Load(0),
    get(VALUES), get(P), i32Load(0), i32Const(1), I32_SHR_U, OP.i32Add, f64Load(0),
    F64_ADD, f64Store(0),
    get(ROW), get(OUT_BYTES), OP.i32Add, set(ROW),
    get(P), i32Const(4), OP.i32Add, tee(P), get(NODE_END), I32_LT_U, OP.brIf, [0],
    OP.end,
  );
}

let compiled: object | undefined;

export function treeKernelModule(): object {
  compiled ??= new wasm.Module(
    moduleBinary({
      params: new Array(9).fill(I32),
      functions: [
        {
          name: "walk",
          locals: [
            [5, I32],
            [1, 0x7c],
          ],
          code: walkBody(),
        },
      ],
    }),
  );
  return compiled;
}

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
  const { walk } = new wasm.Instance(treeKernelModule(), { env: { memory } }).exports as { walk: Walk };
  return { walk, f64: new Float64Array(memory.buffer), i32: new Int32Array(memory.buffer) };
}
