/**
 * LocalStorageManager: the storage layout under DATA_DIR, with `file://` URIs. Contracts are in
 * ../provider-interface.ts. Writes go through a temporary sibling and a rename, so a reader (the bot polling
 * progress.json while a worker rewrites it) never sees half a file. Object metadata lives in
 * `{DATA_DIR}/.meta/{key}.json`, a place no key can name (keys never start with ".").
 */
import { createReadStream } from "node:fs";
import { open, readFile, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import type { Logger } from "pino";
import type { Config } from "../../config.js";
import { CloudStorageError, DownloadError, ObjectNotFoundError, UploadError } from "../../errors.js";
import type { AccessScope } from "../provider-interface.js";
import { listLocalFiles, writeStreamAtomically } from "../storage-files.js";
import { StorageUriCodec } from "../storage-layout.js";
import {
  type ObjectHead,
  type ObjectStore,
  type PutOptions,
  StorageManager,
  type Stored,
  type StoredObject,
} from "../storage-manager.js";

const META_DIR = ".meta";

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR";
}

/** Files under one root directory, addressed by storage keys. */
export class LocalObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  pathOf(key: string): string {
    return join(this.root, ...key.split("/"));
  }

  private metaPathOf(key: string): string {
    return `${join(this.root, META_DIR, ...key.split("/"))}.json`;
  }

  /** No ETag: a local file is not cached. */
  async putFile(key: string, localPath: string, options?: PutOptions): Promise<Stored> {
    await this.put(key, () => createReadStream(localPath), options);
    return {};
  }

  async putBytes(key: string, data: Uint8Array, options?: PutOptions): Promise<Stored> {
    await this.put(key, () => Readable.from([Buffer.from(data)]), options);
    return {};
  }

  /** Metadata first, so a listing never sees a dataset without its name. */
  private async put(key: string, source: () => Readable, options?: PutOptions): Promise<void> {
    try {
      await this.writeMeta(key, options?.metadata);
      await writeStreamAtomically(source(), this.pathOf(key));
    } catch (cause) {
      throw new UploadError("Could not write the file to local storage.", { key }, { cause });
    }
  }

  private async writeMeta(key: string, metadata: Record<string, string> | undefined): Promise<void> {
    if (metadata === undefined) {
      await rm(this.metaPathOf(key), { force: true });
      return;
    }
    await writeStreamAtomically(Readable.from([JSON.stringify(metadata)]), this.metaPathOf(key));
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    const handle = await open(this.pathOf(key)).catch((error) => {
      throw isMissing(error)
        ? new ObjectNotFoundError("File not found.", { key })
        : new DownloadError("Could not read the file.", { key }, { cause: error });
    });
    try {
      if (!(await handle.stat()).isFile()) throw new ObjectNotFoundError("File not found.", { key });
      await writeStreamAtomically(handle.createReadStream({ autoClose: false }), localPath);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw error;
      throw new DownloadError("Could not copy the file.", { key }, { cause: error });
    } finally {
      await handle.close();
    }
  }

  async getBytes(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError("File not found.", { key });
      throw new DownloadError("Could not read the file.", { key }, { cause: error });
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    const info = await stat(this.pathOf(key)).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const meta = await readFile(this.metaPathOf(key), "utf8").catch(() => "{}");
    return { size: info.size, lastModified: info.mtime, metadata: parseMeta(meta) };
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const dir = prefix.slice(0, prefix.lastIndexOf("/") + 1);
    const files = await listLocalFiles(this.pathOf(dir)).catch((error) => {
      if (isMissing(error)) return [];
      throw new CloudStorageError("Could not list local storage.", { prefix }, { cause: error });
    });
    for (const relative of files) {
      const key = dir + relative;
      if (!key.startsWith(prefix)) continue;
      const info = await stat(this.pathOf(key)).catch(() => undefined);
      if (info) yield { key, size: info.size, lastModified: info.mtime };
    }
  }

  async deleteObject(key: string): Promise<void> {
    try {
      await rm(this.pathOf(key), { force: true });
      await rm(this.metaPathOf(key), { force: true });
    } catch (error) {
      // A key naming a directory is not an object: nothing to delete, as on S3.
      if ((error as NodeJS.ErrnoException).code === "ERR_FS_EISDIR") return;
      throw new CloudStorageError("Could not delete the file.", { key }, { cause: error });
    }
    await this.pruneEmptyParents(this.pathOf(key));
    await this.pruneEmptyParents(this.metaPathOf(key));
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.deleteObject(key);
  }

  /** Removes directories left empty by a delete, up to (not including) the root. */
  private async pruneEmptyParents(path: string): Promise<void> {
    for (let dir = dirname(path); dir.startsWith(`${this.root}/`); dir = dirname(dir)) {
      const removed = await rmdir(dir).then(
        () => true,
        () => false,
      );
      if (!removed) return;
    }
  }
}

function parseMeta(text: string): Record<string, string> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== "object") return {};
    return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === "string"));
  } catch {
    return {};
  }
}

/** The storage layout on local disk under `rootDir` (DATA_DIR), with `file://` URIs. */
export class LocalStorageManager extends StorageManager {
  /** Absolute root directory. */
  readonly rootDir: string;
  private readonly files: LocalObjectStore;

  constructor(rootDir: string, logger?: Logger) {
    const root = resolve(rootDir);
    const files = new LocalObjectStore(root);
    super("local", files, new StorageUriCodec("file", root), logger);
    this.rootDir = root;
    this.files = files;
  }

  static fromConfig(config: Pick<Config, "dataDir">, logger?: Logger): LocalStorageManager {
    return new LocalStorageManager(config.dataDir, logger);
  }

  /** The absolute path behind a `file://` URI (checked like any other access), for local child processes. */
  pathFor(storageUri: string, scope?: AccessScope): string {
    return this.files.pathOf(this.uris.parse(storageUri, scope));
  }
}
