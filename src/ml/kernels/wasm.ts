/**
 * A tiny WebAssembly assembler: instruction bytes by name and a module of functions over an imported memory
 * (shared when worker threads run them too), built at load time. Only hist-build.ts still uses it; every
 * other kernel is a `.wat` file compiled at build time (./load.ts). Delete this file once hist-build has
 * its `.wat` too.
 */

export { wasm } from "./load.js";

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

export const get = (local: number) => [0x20, local];
export const set = (local: number) => [0x21, local];
export const tee = (local: number) => [0x22, local];
/** i32.const takes signed LEB128 (64 is 0xc0 0x00). */
export const i32Const = (n: number) => [0x41, ...sleb(n)];
const memarg = (offset: number) => [0, ...uleb(offset)];
export const v128Load = (offset: number) => [0xfd, 0x00, ...memarg(offset)];
export const v128Store = (offset: number) => [0xfd, 0x0b, ...memarg(offset)];
export const f64Splat = (offset: number) => [0xfd, 0x0a, ...memarg(offset)];
/** Instructions without immediates (SIMD ones follow the 0xfd prefix). */
export const OP = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: [0x0c],
  brIf: [0x0d],
  return: [0x0f],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  zero: [0xfd, 0x0c, ...new Array(16).fill(0)],
  lt: [0xfd, 0x49],
  or: [0xfd, 0x50],
  anyTrue: [0xfd, 0x53],
  abs: [0xfd, 0xec, 0x01],
  add: [0xfd, 0xf0, 0x01],
  sub: [0xfd, 0xf1, 0x01],
  mul: [0xfd, 0xf2, 0x01],
};
export const code = (...parts: number[][]) => parts.flat();

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

/** A length-prefixed vector or section payload. */
function sized(bytes: number[]): number[] {
  return [...uleb(bytes.length), ...bytes];
}

function name(s: string): number[] {
  return sized([...s].map((c) => c.charCodeAt(0)));
}

export interface KernelFunction {
  name: string;
  /** Its own signature, when it differs from the module's. */
  params?: number[];
  result?: number | null;
  /** Groups of extra locals after the parameters: [count, type]. */
  locals: Array<[number, number]>;
  /** The body's instructions (the final `end` is added here). */
  code: number[];
}

export interface ModuleSpec {
  params: number[];
  result?: number;
  functions: KernelFunction[];
  /** Import the memory as shared (maximum 4 GiB), so worker threads can run the kernels over it too. */
  shared?: boolean;
}

/** A module importing env.memory and exporting its functions (one type per function, in order). */
export function moduleBinary(spec: ModuleSpec): Uint8Array {
  const section = (id: number, payload: number[]) => [id, ...sized(payload)];
  const type = (f: KernelFunction) => {
    const params = f.params ?? spec.params;
    const result = f.result === undefined ? spec.result : f.result;
    return [0x60, ...uleb(params.length), ...params, ...(result == null ? [0] : [1, result])];
  };
  const body = (f: KernelFunction) =>
    sized([...uleb(f.locals.length), ...f.locals.flatMap(([n, t]) => [...uleb(n), t]), ...f.code, ...OP.end]);
  const fns = spec.functions;
  // Memory limits: 0x00 = minimum 0 only; 0x03 = shared, minimum 0, maximum 65536 pages.
  const limits = spec.shared ? [0x03, 0x00, ...uleb(65536)] : [0x00, 0x00];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [...uleb(fns.length), ...fns.flatMap(type)]),
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, ...limits]),
    ...section(3, [...uleb(fns.length), ...fns.flatMap((_, i) => uleb(i))]),
    ...section(7, [...uleb(fns.length), ...fns.flatMap((f, i) => [...name(f.name), 0x00, ...uleb(i)])]),
    ...section(10, [...uleb(fns.length), ...fns.flatMap(body)]),
  ]);
}
