/** Small file helpers shared by the storage backends: atomic streaming writes, directory walks, limits. */
import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { UploadError } from "../errors.js";

const CONTENT_TYPES: Record<string, string> = {
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  json: "application/json",
  jsonl: "application/x-ndjson",
  png: "image/png",
  parquet: "application/vnd.apache.parquet",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** The content type for a key's extension, so presigned downloads open with the right application. */
export function contentTypeOf(key: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase() ?? "";
  return CONTENT_TYPES[ext] ?? "application/octet-stream";
}

/** A sibling temporary name: same directory, so the final rename stays on one file system. */
export function temporarySibling(path: string): string {
  return join(dirname(path), `.${posix.basename(path)}.${randomBytes(6).toString("hex")}.part`);
}

/**
 * Streams `source` into `destination` through a temporary sibling and renames it into place, so readers
 * never see a half-written file and a failed transfer leaves nothing behind.
 */
export async function writeStreamAtomically(source: Readable, destination: string): Promise<void> {
  const temporary = temporarySibling(destination);
  const handle = await openInDirectory(temporary);
  try {
    await pipeline(source, handle.createWriteStream());
    await rename(temporary, destination);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Creates the file and its directory. A concurrent delete may remove the directory once it is empty
 * (between mkdir and open), so that case is retried; once the file exists, the directory stays.
 */
async function openInDirectory(path: string): Promise<FileHandle> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dirname(path), { recursive: true });
    try {
      return await open(path, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 3) throw error;
    }
  }
}

/**
 * Relative paths (with "/") of every regular file under `dir`, sorted. Hidden entries (".DS_Store",
 * our own ".part" temporaries, the local store's ".meta") are skipped; symlinks are not followed.
 */
export async function listLocalFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(relative: string): Promise<void> {
    const entries = await readdir(join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(path);
    }
  }
  await walk("");
  return out.sort();
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Refuses a local path that is not a regular file, with the seed's upload error. */
export async function assertLocalFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UploadError("Local file not found.", { file: basename(path) });
}

/** [matching, not matching], each in input order. */
export function partition<T>(items: T[], predicate: (item: T) => boolean): [T[], T[]] {
  return [items.filter(predicate), items.filter((item) => !predicate(item))];
}

/** Drains an async iterable (listings) into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
