/**
 * Text encodings people actually send. Delimited text is transcoded to UTF-8 once, at the front of the
 * reader, so the byte-level fast path only ever sees UTF-8: a UTF-8 BOM is dropped, UTF-16 with a BOM (what
 * Excel's "Unicode Text" export writes) is decoded, and bytes that are not valid UTF-8 are read as
 * Windows-1252, a superset of the printable Latin-1 range and what spreadsheet exports on Windows usually are.
 */
import { isUtf8 } from "node:buffer";

export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

/** UTF-8 bytes without a BOM, and the encoding the bytes were in. Binary stays binary (NUL bytes survive). */
export function toUtf8(bytes: Uint8Array): { bytes: Uint8Array; encoding: TextEncodingName } {
  if (startsWith(bytes, 0xef, 0xbb, 0xbf)) return toUtf8Body(bytes.subarray(3));
  if (startsWith(bytes, 0xff, 0xfe)) return transcoded(bytes.subarray(2), "utf-16le");
  if (startsWith(bytes, 0xfe, 0xff)) return transcoded(bytes.subarray(2), "utf-16be");
  return toUtf8Body(bytes);
}

function toUtf8Body(bytes: Uint8Array): { bytes: Uint8Array; encoding: TextEncodingName } {
  return isUtf8(bytes) ? { bytes, encoding: "utf-8" } : transcoded(bytes, "windows-1252");
}

function transcoded(
  bytes: Uint8Array,
  encoding: TextEncodingName,
): { bytes: Uint8Array; encoding: TextEncodingName } {
  return { bytes: new TextEncoder().encode(new TextDecoder(encoding).decode(bytes)), encoding };
}

function startsWith(bytes: Uint8Array, ...magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** Bytes → text: UTF-8 (a BOM is dropped), or Windows-1252 when the bytes are not valid UTF-8. */
export function decodeText(bytes: Uint8Array): { text: string; encoding: "utf-8" | "windows-1252" } {
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  const body = bytes.subarray(start);
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(body), encoding: "utf-8" };
  } catch {
    return { text: new TextDecoder("windows-1252").decode(body), encoding: "windows-1252" };
  }
}
