/**
 * JSON with typed arrays. When a document's arrays add up to SIDECAR_MIN_TOTAL_BYTES or more (a forest of
 * small trees counts as a whole), every array of at least SIDECAR_MIN_BYTES goes to a binary sidecar
 * ({"$typed": "f64", "offset": 0, "length": 1000}; little-endian, 8-byte aligned), which is about 2.5×
 * smaller than decimal text and needs no number parsing. Other arrays are written inline
 * ({"$typed": "f64", "data": [...]}), with non-finite numbers spelled out so they survive JSON.
 */
import { ModelIntegrityError } from "../errors.js";

const KINDS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u16: Uint16Array,
  u8: Uint8Array,
} as const;
type Kind = keyof typeof KINDS;
type Typed = InstanceType<(typeof KINDS)[Kind]>;

export const SIDECAR_MIN_TOTAL_BYTES = 32 * 1024;
export const SIDECAR_MIN_BYTES = 64;

function kindOf(v: unknown): Kind | null {
  for (const [k, C] of Object.entries(KINDS)) if (v instanceof C) return k as Kind;
  return null;
}

/** Total bytes of the typed arrays inside a value. */
export function typedBytes(v: unknown): number {
  if (kindOf(v)) return (v as Typed).byteLength;
  if (Array.isArray(v)) return v.reduce((s: number, x) => s + typedBytes(x), 0);
  if (v !== null && typeof v === "object")
    return Object.values(v).reduce((s: number, x) => s + typedBytes(x), 0);
  return 0;
}

export function encodeTyped(value: unknown): { json: unknown; sidecar: Uint8Array | null } {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const useSidecar = typedBytes(value) >= SIDECAR_MIN_TOTAL_BYTES;
  const walk = (v: unknown): unknown => {
    const kind = kindOf(v);
    if (kind) {
      const arr = v as Typed;
      if (!useSidecar || arr.byteLength < SIDECAR_MIN_BYTES)
        return { $typed: kind, data: Array.from(arr, encodeNumber) };
      const pad = (8 - (size % 8)) % 8;
      if (pad > 0) chunks.push(new Uint8Array(pad));
      size += pad;
      const offset = size;
      chunks.push(new Uint8Array(arr.buffer.slice(arr.byteOffset, arr.byteOffset + arr.byteLength)));
      size += arr.byteLength;
      return { $typed: kind, offset, length: arr.length };
    }
    if (typeof v === "number") return encodeNumber(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  const json = walk(value);
  if (size === 0) return { json, sidecar: null };
  const sidecar = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    sidecar.set(c, at);
    at += c.length;
  }
  return { json, sidecar };
}

function encodeNumber(n: number): number | string {
  if (Number.isFinite(n)) return n;
  return Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
}

function decodeNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return Number.NaN;
  if (v === "Infinity") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
  throw new ModelIntegrityError("The model file holds a value that is not a number where one is expected.");
}

export function decodeTyped(json: unknown, sidecar: Uint8Array | null): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "string" && (v === "NaN" || v === "Infinity" || v === "-Infinity"))
      return decodeNumber(v);
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if (typeof o.$typed === "string") return decodeArray(o, sidecar);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = walk(x);
    return out;
  };
  return walk(json);
}

function decodeArray(o: Record<string, unknown>, sidecar: Uint8Array | null): Typed {
  const C = KINDS[o.$typed as Kind] as unknown as {
    new (source: ArrayLike<number> | ArrayBuffer): Typed;
    BYTES_PER_ELEMENT: number;
  };
  if (!C) throw new ModelIntegrityError(`Unknown array type '${String(o.$typed)}' in the model file.`);
  if (Array.isArray(o.data)) return new C(o.data.map(decodeNumber));
  const offset = Number(o.offset);
  const length = Number(o.length);
  const bytes = length * C.BYTES_PER_ELEMENT;
  if (
    !sidecar ||
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    offset + bytes > sidecar.length
  ) {
    throw new ModelIntegrityError("The model's binary sidecar is missing or shorter than model.json says.");
  }
  return new C(sidecar.slice(offset, offset + bytes).buffer);
}
