/**
 * Plain CSV rows through the WebAssembly kernel (src/ml/kernels/wat/csv-rows.wat): a window of the file's
 * bytes is copied into the kernel's memory, the kernel parses as many whole rows as it can into column
 * slots (numbers as values, texts as byte ranges), and they are moved into the caller's columns. The kernel
 * stops at any row it does not take (quotes, blank lines, unusual numbers, errors); the caller reads that
 * row the general way (csv-bytes.ts) and hands back. The numbers are parseNumberField's arithmetic, so the
 * columns are the same as the JavaScript path gives, about twice as fast.
 */
import { instantiate, kernelModule, wasm } from "../kernels/load.js";
import { CSV_ROWS_WASM } from "../kernels/wasm/csv-rows.js";
import type { ByteDictionary } from "./byte-dictionary.js";

const csvRowsModule = kernelModule(CSV_ROWS_WASM);

/** Bytes of the file the kernel sees at once. */
const WINDOW = 64 * 1024;
/**
 * Each text column's cache of seen values (see the kernel): 32 bytes an entry, up to 4096 entries a column
 * (a date column's few thousand days mostly hit), 4 MiB in all.
 */
const ENTRY_BYTES = 32;
const ENTRY_TEXT = 20;
const CACHE_BYTES = 4 * 1024 * 1024;
/** Kernel memory: 10^0..10^22 at 0, where it stopped at 192, the column kinds at 256. */
const STOPPED_AT = 192;
const KINDS_AT = 256;

type RowsKernel = (...args: number[]) => number;

/**
 * One kernel instance per thread, its memory grown as needed (a file is read start to end before the next
 * one starts): every read calls the same function, which V8 keeps optimised across files.
 */
let shared: { memory: { buffer: ArrayBuffer; grow(pages: number): number }; rows: RowsKernel } | undefined;

function sharedKernel(bytes: number): { rows: RowsKernel; buffer: ArrayBuffer } {
  const pages = Math.ceil(bytes / 65536);
  if (shared === undefined) {
    const memory = new wasm.Memory({ initial: pages }) as NonNullable<typeof shared>["memory"];
    shared = { memory, rows: instantiate<{ rows: RowsKernel }>(csvRowsModule(), memory).rows };
  }
  const have = shared.memory.buffer.byteLength / 65536;
  if (have < pages) shared.memory.grow(pages - have);
  return { rows: shared.rows, buffer: shared.memory.buffer };
}

export class WasmRows {
  /** Where the rows read by the last `take` end (a byte offset in the file). */
  end = 0;
  private enabled = true;
  private taken = 0;
  private declines = 0;
  private readonly rows: RowsKernel;
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  private readonly winAt: number;
  private readonly outAt: number;
  private readonly hashesAt: number;
  private readonly cacheAt: number;
  private readonly cacheMask: number;
  /** Slots per column: more than the rows one window can hold (each row has at least p − 1 bytes). */
  private readonly R: number;
  private winStart = 0;
  private winEnd = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly numeric: boolean[],
    private readonly delimiter: number,
    private readonly maxCell: number,
  ) {
    const p = numeric.length;
    this.R = Math.ceil(WINDOW / Math.max(1, p - 1)) + 1;
    this.winAt = align16(KINDS_AT + 8 * p);
    this.outAt = align16(this.winAt + WINDOW);
    this.hashesAt = this.outAt + p * this.R * 8;
    this.cacheAt = this.hashesAt + p * this.R * 4;
    const texts = numeric.filter((isNum) => !isNum).length;
    const entries = 2 ** Math.floor(Math.log2(CACHE_BYTES / ENTRY_BYTES / Math.max(1, texts)));
    this.cacheMask = Math.max(16, Math.min(4096, entries)) - 1;
    const cacheEnd = this.cacheAt + texts * (this.cacheMask + 1) * ENTRY_BYTES;
    const { rows, buffer } = sharedKernel(cacheEnd);
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.rows = rows;
    for (let k = 0; k <= 22; k++) this.f64[k] = 10 ** k;
    let cache = this.cacheAt;
    numeric.forEach((isNum, j) => {
      this.i32[KINDS_AT / 4 + j] = isNum ? 1 : 0;
      this.i32[KINDS_AT / 4 + p + j] = isNum ? 0 : cache;
      if (!isNum) cache += (this.cacheMask + 1) * ENTRY_BYTES;
    });
    this.i32.fill(-1, this.cacheAt / 4, cacheEnd / 4); // every entry empty (length −1)
  }

  /**
   * Reads plain rows from byte offset pos into the columns from row n on, at most `max` of them; returns
   * how many (0: the row at pos is the caller's) and sets `end`.
   */
  take(
    pos: number,
    max: number,
    n: number,
    values: (Float64Array | null)[],
    codes: (Int32Array | null)[],
    dicts: (ByteDictionary | null)[],
  ): number {
    if (!this.enabled || max <= 0) return 0;
    this.load(pos);
    const atEnd = this.winEnd === this.bytes.length ? 1 : 0;
    const { winAt, winStart, outAt, R } = this;
    const p = this.numeric.length;
    const got = this.rows(
      winAt,
      pos - winStart,
      this.winEnd - winStart,
      atEnd,
      KINDS_AT,
      p,
      this.delimiter,
      outAt,
      R,
      Math.min(max, R),
      this.maxCell,
      this.hashesAt,
      this.cacheMask,
    );
    if (got === 0) {
      // A file the kernel keeps declining (quotes on every row, say) is left to the JavaScript path.
      if (++this.declines > 64 && this.declines * 16 > this.taken) this.enabled = false;
      return 0;
    }
    this.taken += got;
    this.end = winStart + this.i32[STOPPED_AT / 4];
    for (let j = 0; j < p; j++) {
      const slot = outAt / 8 + j * R;
      const v = values[j];
      if (v) v.set(this.f64.subarray(slot, slot + got), n);
      else this.codesInto(codes[j] as Int32Array, dicts[j] as ByteDictionary, slot, got, n, j);
    }
    return got;
  }

  /**
   * Dictionary codes of a text column's slots: the kernel's cache hits as they are, the byte ranges looked up
   * in the dictionary (which keeps the file's bytes, not the window's) and remembered in the cache.
   */
  private codesInto(
    out: Int32Array,
    dict: ByteDictionary,
    slot: number,
    count: number,
    n: number,
    j: number,
  ): void {
    const { i32, bytes, winStart } = this;
    const hashes = this.hashesAt / 4 + (slot - this.outAt / 8);
    const cache = i32[KINDS_AT / 4 + this.numeric.length + j];
    // A column with far more distinct values than its cache holds (ids) would only churn it.
    const remember = dict.size <= 4 * (this.cacheMask + 1);
    for (let r = 0; r < count; r++) {
      const at = 2 * (slot + r);
      const start = i32[at];
      if (start < 0) {
        out[n + r] = i32[at + 1];
        continue;
      }
      const end = i32[at + 1];
      const h = i32[hashes + r];
      const code = dict.codeOfHashed(bytes, winStart + start, winStart + end, h);
      out[n + r] = code;
      if (remember && end - start <= ENTRY_TEXT) this.cacheEntry(cache, h, code, start, end);
    }
  }

  /** Puts a value (window bytes [start, end)) and its code in its cache entry, in place of what was there. */
  private cacheEntry(cache: number, h: number, code: number, start: number, end: number): void {
    const entry = cache + (h & this.cacheMask) * ENTRY_BYTES;
    this.i32[entry / 4] = h;
    this.i32[entry / 4 + 1] = code;
    this.i32[entry / 4 + 2] = end - start;
    this.u8.copyWithin(entry + 12, this.winAt + start, this.winAt + end);
  }

  /** Moves the window to start at pos unless pos already has half a window ahead of it (or the file's end). */
  private load(pos: number): void {
    const len = this.bytes.length;
    if (pos >= this.winStart && pos < this.winEnd && (this.winEnd === len || this.winEnd - pos >= WINDOW / 2))
      return;
    this.winStart = pos;
    this.winEnd = Math.min(len, pos + WINDOW);
    this.u8.set(this.bytes.subarray(pos, this.winEnd), this.winAt);
  }
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
