/**
 * A bounded read-through cache on local disk in front of a shared ObjectStore (S3), so a replica or worker
 * reads a model or dataset from the bucket once and then from its own disk.
 *
 * Every read first asks the store for the object's head (size, ETag, last modified): an entry is a file named
 * by its key's hash and that version, so a cached copy of an object another replica has since overwritten
 * is never served (its version no longer matches), and an object deleted elsewhere is not found here either.
 * Entries are written through a temporary file and a rename, and the least recently used ones (by file
 * mtime, touched on each hit) are evicted past the size cap. No index is kept: several processes (the bot
 * and its job processes) share one cache folder safely.
 *
 * Writes go to the store first, then into the cache; deletes drop the key's entries.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { ObjectNotFoundError } from "../errors.js";
import { writeStreamAtomically } from "./storage-files.js";
import type { ObjectHead, ObjectStore, PutOptions, Stored, StoredObject } from "./storage-manager.js";

export interface CacheOptions {
  /** The cache folder (its own: everything in it may be evicted). */
  dir: string;
  /** Total size the entries may take; an object larger than this is not cached. */
  maxBytes: number;
  /** Which keys are cached (default: all). Job files change while a job runs and are left out. */
  cacheable?: (key: string) => boolean;
}

interface Entry {
  path: string;
  size: number;
  used: number;
}

export class CachingObjectStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    private readonly options: CacheOptions,
  ) {}

  private cached(key: string): boolean {
    return this.options.maxBytes > 0 && (this.options.cacheable?.(key) ?? true);
  }

  async putFile(key: string, localPath: string, options?: PutOptions): Promise<Stored> {
    const stored = await this.inner.putFile(key, localPath, options);
    if (this.cached(key)) await this.keep(key, stored, () => createReadStream(localPath));
    return stored;
  }

  async putBytes(key: string, data: Uint8Array, options?: PutOptions): Promise<Stored> {
    const stored = await this.inner.putBytes(key, data, options);
    if (this.cached(key)) await this.keep(key, stored, () => Readable.from([Buffer.from(data)]));
    return stored;
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    if (!this.cached(key)) return this.inner.getToFile(key, localPath);
    const entry = await this.fetch(key);
    if (entry && (await orEvicted(() => writeStreamAtomically(createReadStream(entry), localPath)))) return;
    await this.inner.getToFile(key, localPath);
  }

  async getBytes(key: string): Promise<Uint8Array> {
    if (!this.cached(key)) return this.inner.getBytes(key);
    const entry = await this.fetch(key);
    const read = entry ? await orEvicted(() => readFile(entry)) : undefined;
    return read ? new Uint8Array(read.value) : this.inner.getBytes(key);
  }

  head(key: string): Promise<ObjectHead | undefined> {
    return this.inner.head(key);
  }

  list(prefix: string): AsyncIterable<StoredObject> {
    return this.inner.list(prefix);
  }

  async deleteObject(key: string): Promise<void> {
    await this.inner.deleteObject(key);
    await this.drop(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    await this.inner.deleteMany(keys);
    for (const key of keys) await this.drop(key);
  }

  /**
   * The path of a cached copy of the object's current version, downloading it on a miss; undefined when it
   * is too large to cache (the caller reads the store directly). ObjectNotFoundError when it is gone.
   */
  private async fetch(key: string): Promise<string | undefined> {
    const head = await this.inner.head(key);
    if (!head) {
      await this.drop(key);
      throw new ObjectNotFoundError("File not found.", { key });
    }
    if (head.size > this.options.maxBytes) return undefined;
    const path = this.entryPath(key, head);
    if (await touch(path)) return path;
    await this.inner.getToFile(key, path);
    await this.settle(key, path);
    return path;
  }

  /**
   * After a write: the version just stored, from the local bytes, labelled with the ETag the write returned
   * (not a later head, which may already describe another replica's version). Without an ETag, or when it is
   * too large, the key's entries are only dropped. A cache failure never fails the write.
   */
  private async keep(key: string, stored: Stored, source: () => Readable): Promise<void> {
    const { dir } = this.location(key);
    // Hidden until renamed: not an entry yet, for eviction and for other processes.
    const temporary = join(dir, `.new-${process.pid}-${randomBytes(6).toString("hex")}`);
    try {
      await this.drop(key);
      if (!stored?.etag) return;
      await writeStreamAtomically(source(), temporary);
      const { size } = await stat(temporary);
      if (size > this.options.maxBytes) return;
      const path = this.entryPath(key, { etag: stored.etag, size });
      await rename(temporary, path);
      await this.settle(key, path);
    } catch {
      await this.drop(key).catch(() => undefined);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /** A new entry is in: older versions of its key go, then the least recently used past the cap. */
  private async settle(key: string, path: string): Promise<void> {
    await this.drop(key, path);
    await this.evict();
  }

  /** Every cached version of `key` but `keepPath`. */
  private async drop(key: string, keepPath?: string): Promise<void> {
    const { dir, stem } = this.location(key);
    const names = await readdir(dir).catch(() => [] as string[]);
    const stale = names.map((name) => join(dir, name)).filter((p) => p.startsWith(stem) && p !== keepPath);
    await Promise.all(stale.map((p) => rm(p, { force: true })));
  }

  /** Removes the least recently used entries until the total fits the cap. */
  private async evict(): Promise<void> {
    const entries = await this.entries();
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    for (const entry of entries.sort((a, b) => a.used - b.used)) {
      if (total <= this.options.maxBytes) return;
      await rm(entry.path, { force: true });
      total -= entry.size;
    }
  }

  private async entries(): Promise<Entry[]> {
    const out: Entry[] = [];
    for (const bucket of await readdir(this.options.dir).catch(() => [] as string[])) {
      const dir = join(this.options.dir, bucket);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (name.startsWith(".")) continue; // a download in progress
        const info = await stat(join(dir, name)).catch(() => undefined);
        if (info?.isFile()) out.push({ path: join(dir, name), size: info.size, used: info.mtimeMs });
      }
    }
    return out;
  }

  /** `{dir}/{2 hex}/{key hash}-`: keys never become paths, so no key can name a place outside the cache. */
  private location(key: string): { dir: string; stem: string } {
    const hash = sha256(key);
    const dir = join(this.options.dir, hash.slice(0, 2));
    return { dir, stem: join(dir, `${hash}-`) };
  }

  /** An ETag names one version's bytes; without one, size and date stand in for it. */
  private entryPath(key: string, head: Pick<ObjectHead, "etag" | "size"> & { lastModified?: Date }): string {
    const version = head.etag ? `${head.etag}|${head.size}` : `${head.size}|${head.lastModified?.getTime()}`;
    return `${this.location(key).stem}${sha256(version).slice(0, 16)}`;
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Reads a cache entry; undefined when another process evicted it between the check and the read (the
 * caller then reads the store).
 */
async function orEvicted<T>(read: () => Promise<T>): Promise<{ value: T } | undefined> {
  try {
    return { value: await read() };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Marks an entry as just used; false when it is not there (never cached, or evicted meanwhile). */
async function touch(path: string): Promise<boolean> {
  const now = new Date();
  return utimes(path, now, now).then(
    () => true,
    () => false,
  );
}
