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
 * Each text column's table of seen values (see the kernel): 32 bytes an entry, up to 4096 entries a column
 * (2048 values: a date column's days), 4 MiB in all.
 */
const ENTRY_BYTES = 32;
const ENTRY_TEXT = 20;
const TABLE_BYTES = 4 * 1024 * 1024;
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
  private readonly tableAt: number;
  private readonly tableMask: number;
  /** Values in each column's table. */
  private readonly tableSizes: Int32Array;
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
    this.tableAt = this.hashesAt + p * this.R * 4;
    const texts = numeric.filter((isNum) => !isNum).length;
    // At least 16 entries (512 bytes) a column past 8192 text columns: less than each column's dictionary.
    const entries = 2 ** Math.floor(Math.log2(TABLE_BYTES / ENTRY_BYTES / Math.max(1, texts)));
    this.tableMask = Math.max(16, Math.min(4096, entries)) - 1;
    const stride = (this.tableMask + 1) * ENTRY_BYTES;
    const tableEnd = this.tableAt + texts * stride;
    const { rows, buffer } = sharedKernel(tableEnd);
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
    this.rows = rows;
    for (let k = 0; k <= 22; k++) this.f64[k] = 10 ** k;
    let table = this.tableAt;
    numeric.forEach((isNum, j) => {
      this.i32[KINDS_AT / 4 + j] = isNum ? 1 : 0;
      this.i32[KINDS_AT / 4 + p + j] = isNum ? 0 : table;
      if (!isNum) table += stride;
    });
    this.i32.fill(-1, this.tableAt / 4, tableEnd / 4); // every entry empty (length −1)
    this.tableSizes = new Int32Array(p);
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
      this.tableMask,
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
   * Dictionary codes of a text column's slots: the codes the kernel found as they are, the byte ranges looked
   * up in the dictionary (which keeps the file's bytes, not the window's) and added to the kernel's table.
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
    const table = i32[KINDS_AT / 4 + this.numeric.length + j];
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
      // A table half full stays as it is (an id column fills it with its first ids, and no more).
      if (end - start <= ENTRY_TEXT && 2 * this.tableSizes[j] < this.tableMask)
        this.addEntry(table, j, h, code, start, end);
    }
  }

  /** Adds a value (window bytes [start, end)) and its code to column j's table, unless it is there. */
  private addEntry(table: number, j: number, h: number, code: number, start: number, end: number): void {
    let i = h & this.tableMask;
    let entry = table + i * ENTRY_BYTES;
    // The same value again in one batch of rows: the kernel did not find it, its first row added it.
    for (; this.i32[entry / 4 + 2] >= 0; entry = table + i * ENTRY_BYTES) {
      if (this.i32[entry / 4 + 1] === code) return;
      i = (i + 1) & this.tableMask;
    }
    this.tableSizes[j]++;
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
