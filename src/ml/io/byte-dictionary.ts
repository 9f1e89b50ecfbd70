/**
 * Distinct cell values keyed by their bytes: an open-addressing hash table (FNV-1a) over byte ranges, so a
 * repeated value costs a hash and a byte comparison, not a string. Values are decoded to text only at the
 * end, once each, in whichever encoding the file turns out to have.
 */

export class ByteDictionary {
  private slots = new Int32Array(1024).fill(-1);
  // Per value: hash, where its bytes are (source, start, length). Typed arrays grown by doubling: a column
  // of distinct ids adds a value per row, and plain arrays of numbers cost several times more to grow.
  private hashes = new Int32Array(64);
  private starts = new Int32Array(64);
  private lengths = new Int32Array(64);
  private sourceOf = new Int32Array(64);
  /** The byte arrays values live in: the file, and a copy per quoted cell. */
  private readonly sources: Uint8Array[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The code of the bytes [start, end) of `bytes` with spaces and tabs trimmed. */
  codeOf(bytes: Uint8Array, start: number, end: number): number {
    while (start < end && (bytes[start] === 32 || bytes[start] === 9)) start++;
    while (end > start && (bytes[end - 1] === 32 || bytes[end - 1] === 9)) end--;
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    return this.codeOfHashed(bytes, start, end, h);
  }

  /** codeOf for bytes already trimmed and hashed (the CSV row kernel does both). */
  codeOfHashed(bytes: Uint8Array, start: number, end: number, h: number): number {
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const code = this.slots[s];
      if (code < 0) {
        this.slots[s] = this.add(h, bytes, start, end);
        if (this.size * 2 > this.slots.length) this.rehash(this.slots.length * 2);
        return this.size - 1;
      }
      if (this.hashes[code] === h && this.same(code, bytes, start, end)) return code;
    }
  }

  /** Every value's text, in code order. */
  texts(decode: (bytes: Uint8Array) => string): string[] {
    // ASCII values (the usual case) decode to one character per byte in UTF-8 and Windows-1252 alike, so
    // they are decoded in one call and cut apart: one decoder call instead of one per distinct value.
    let total = 0;
    for (let code = 0; code < this.size; code++) total += this.lengths[code];
    const all = new Uint8Array(total);
    let at = 0;
    let high = 0;
    // Byte by byte rather than a subarray per value: values are short, and a view each is garbage each.
    for (let code = 0; code < this.size; code++) {
      const src = this.sources[this.sourceOf[code]];
      const start = this.starts[code];
      for (let k = 0; k < this.lengths[code]; k++) all[at++] = src[start + k];
    }
    for (let i = 0; i < total; i++) high |= all[i];
    if (high >= 128) return Array.from({ length: this.size }, (_, code) => decode(this.bytesOf(code)));
    const text = decode(all);
    const out = new Array<string>(this.size);
    at = 0;
    for (let code = 0; code < this.size; code++) {
      out[code] = text.slice(at, at + this.lengths[code]);
      at += this.lengths[code];
    }
    return out;
  }

  /** Whether every value is pure ASCII (then valid UTF-8 and the same text in Windows-1252). */
  allAscii(): boolean {
    let high = 0;
    for (let code = 0; code < this.count; code++) {
      const src = this.sources[this.sourceOf[code]];
      const end = this.starts[code] + this.lengths[code];
      for (let i = this.starts[code]; i < end; i++) high |= src[i];
    }
    return high < 128;
  }

  bytesOf(code: number): Uint8Array {
    const at = this.starts[code];
    return this.sources[this.sourceOf[code]].subarray(at, at + this.lengths[code]);
  }

  /**
   * Makes room for `count` values at once: a column of distinct ids would otherwise grow its tables by
   * doubling, allocating about twice their final size in fresh memory.
   */
  reserve(count: number): void {
    if (count > this.hashes.length) this.resize(count);
    if (2 * count > this.slots.length) this.rehash(2 ** Math.ceil(Math.log2(2 * count)));
  }

  private add(h: number, bytes: Uint8Array, start: number, end: number): number {
    const code = this.count;
    if (code === this.hashes.length) this.resize(code * 2);
    if (this.sources[this.sources.length - 1] !== bytes) this.sources.push(bytes);
    this.hashes[code] = h;
    this.starts[code] = start;
    this.lengths[code] = end - start;
    this.sourceOf[code] = this.sources.length - 1;
    this.count++;
    return code;
  }

  private same(code: number, bytes: Uint8Array, start: number, end: number): boolean {
    const length = this.lengths[code];
    if (length !== end - start) return false;
    const src = this.sources[this.sourceOf[code]];
    const at = this.starts[code];
    for (let k = 0; k < length; k++) if (src[at + k] !== bytes[start + k]) return false;
    return true;
  }

  private resize(length: number): void {
    const resized = (a: Int32Array) => {
      const b = new Int32Array(length);
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.hashes = resized(this.hashes);
    this.starts = resized(this.starts);
    this.lengths = resized(this.lengths);
    this.sourceOf = resized(this.sourceOf);
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size).fill(-1);
    const mask = slots.length - 1;
    for (let code = 0; code < this.count; code++) {
      let s = this.hashes[code] & mask;
      while (slots[s] >= 0) s = (s + 1) & mask;
      slots[s] = code;
    }
    this.slots = slots;
  }
}
