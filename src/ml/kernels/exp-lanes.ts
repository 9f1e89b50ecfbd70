/**
 * e^x for many values at once, bit for bit V8's Math.exp: a small WebAssembly kernel runs fdlibm's exp (the
 * algorithm behind Math.exp) two lanes at a time with its branches as lane selects. Math.exp is a C call per
 * value (about 10–15 ns); the boosting losses take millions per fit (a sigmoid per row and round, a softmax
 * per row, class and round). The kernel's source: ./wat/exp-lanes.wat.
 */
import { instantiate, kernelModule, wasm } from "./load.js";
import { EXP_LANES_WASM } from "./wasm/exp-lanes.js";

/** Values per call: the input and the output of a chunk share the kernel's one 64 KiB page. */
export const EXP_CHUNK = 4096;

type ExpFn = (x: number, end: number, out: number) => number;

/** A chunk of inputs and outputs in the kernel's memory; fill `input`, call exp(n), read `output`. */
export class ExpLanes {
  readonly input: Float64Array;
  readonly output: Float64Array;
  private readonly run: ExpFn;

  constructor() {
    const memory = new wasm.Memory({ initial: 1 });
    this.run = instantiate<{ exp: ExpFn }>(expModule(), memory).exp;
    this.input = new Float64Array(memory.buffer, 0, EXP_CHUNK);
    this.output = new Float64Array(memory.buffer, 8 * EXP_CHUNK, EXP_CHUNK);
  }

  /** output[j] = Math.exp(input[j]) for j < n ≤ EXP_CHUNK. */
  exp(n: number): void {
    const { input, output } = this;
    // The kernel takes pairs: an odd count's last pair gets a harmless 0.
    if (n & 1) input[n] = 0;
    const left = this.run(0, 8 * (n + (n & 1)), 8 * EXP_CHUNK);
    // Lanes the kernel leaves (|x| ≥ 707 or NaN: overflow, underflow or subnormal results) are rare.
    if (left > 0) for (let j = 0; j < n; j++) if (!(Math.abs(input[j]) < 707)) output[j] = Math.exp(input[j]);
  }
}

const expModule = kernelModule(EXP_LANES_WASM);
let lanes: ExpLanes | undefined;

/** This thread's kernel instance (created on first use). */
export function expLanes(): ExpLanes {
  lanes ??= new ExpLanes();
  return lanes;
}
