/**
 * The local read-through cache in front of the S3 user storage (STORAGE=s3), on s3rver: hits and misses
 * (counted in S3 requests), eviction at the size cap, objects another replica overwrote or deleted, and
 * user isolation. Each "replica" is its own storage with its own cache folder over one bucket.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ObjectStore } from "../../../src/cloud/aws/object-store.js";
import type { S3Manager } from "../../../src/cloud/aws/storage.js";
import { loadSignedModel } from "../../../src/cloud/signed-model.js";
import { CachingObjectStore } from "../../../src/cloud/storage-cache.js";
import type { ObjectStore } from "../../../src/cloud/storage-manager.js";
import { createUserStorage } from "../../../src/cloud/storage-user.js";
import { loadConfig } from "../../../src/config.js";
import {
  CloudConfigurationError,
  ModelIntegrityError,
  ObjectNotFoundError,
  StoragePermissionError,
} from "../../../src/errors.js";
import { serializeModel, trainModel } from "../../../src/ml/index.js";
import { recordCommands, type S3rverHandle, s3rverEnv, startS3rver } from "../../helpers/s3rver.js";
import { loadFixture } from "../../ml/helpers/fixtures.js";

const BUCKET = "sma-cache";
const KB = 1024;
const SIGNING_KEY = "cache-test-signing-key-0123456789abcdef";
let server: S3rverHandle;
let work: string;

beforeAll(async () => {
  server = await startS3rver([BUCKET]);
  work = await mkdtemp(join(tmpdir(), "storage-cache-"));
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

interface Replica {
  storage: S3Manager;
  cacheDir: string;
  /** S3 commands this replica sent since the last reset. */
  sent: string[];
}

/** A replica's user storage: its own DATA_DIR (and so its own cache), the shared bucket. */
function replica(cacheMb = "1"): Replica {
  const dataDir = join(work, `host-${randomBytes(4).toString("hex")}`);
  const storage = createUserStorage(
    loadConfig({
      STORAGE: "s3",
      STORAGE_CACHE_MB: cacheMb,
      DATA_DIR: dataDir,
      ...s3rverEnv(server, BUCKET),
    }),
  ) as S3Manager;
  return { storage, cacheDir: join(dataDir, ".cache", "s3"), sent: recordCommands(storage.client) };
}

const gets = (r: Replica) => r.sent.filter((c) => c === "GetObjectCommand").length;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
let counter = 0;
const freshUser = () => 7000 + ++counter;

/** Every cached file, as paths relative to the cache folder. */
async function cachedFiles(r: Replica): Promise<string[]> {
  const entries = await readdir(r.cacheDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(r.cacheDir.length));
}

describe("the S3 user storage's local cache", () => {
  it("reads an object from the bucket once, then from disk after checking its version", async () => {
    const writer = replica();
    const reader = replica();
    const uri = writer.storage.resultUri(freshUser(), "job-cache-hit", "predictions.csv");
    await writer.storage.writeBytes(uri, "a,b\n1,2\n");
    expect(text(await reader.storage.readBytes(uri))).toBe("a,b\n1,2\n");
    expect(gets(reader)).toBe(1);
    reader.sent.splice(0);
    expect(text(await reader.storage.readBytes(uri))).toBe("a,b\n1,2\n");
    const local = join(work, "hit.csv");
    await reader.storage.downloadFile(uri, local);
    expect(gets(reader)).toBe(0);
    expect(reader.sent.filter((c) => c === "HeadObjectCommand")).toHaveLength(2);
    // The writer kept what it wrote: its first read is a hit too.
    writer.sent.splice(0);
    expect(text(await writer.storage.readBytes(uri))).toBe("a,b\n1,2\n");
    expect(gets(writer)).toBe(0);
  });

  it("never serves a copy another replica has overwritten (same size) or deleted", async () => {
    const a = replica();
    const b = replica();
    const user = freshUser();
    const model = join(work, `model-${user}`);
    await mkdir(model, { recursive: true });
    await writeFile(join(model, "model.json"), '{"v":1}');
    await writeFile(join(model, "metadata.json"), metadata("first"));
    await a.storage.saveModel(user, "m-1", model);
    expect(await a.storage.getModelMetadata(user, "m-1")).toMatchObject({ name: "first" });

    await writeFile(join(model, "model.json"), '{"v":2}');
    await writeFile(join(model, "metadata.json"), metadata("other"));
    await b.storage.saveModel(user, "m-1", model);
    expect(await a.storage.getModelMetadata(user, "m-1")).toMatchObject({ name: "other" });
    const loaded = join(work, `loaded-${user}`);
    await a.storage.loadModel(user, "m-1", loaded);
    expect(await readFile(join(loaded, "model.json"), "utf8")).toBe('{"v":2}');

    await b.storage.deleteModel(user, "m-1");
    await expect(a.storage.getModelMetadata(user, "m-1")).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(a.storage.readBytes(`${a.storage.modelUri(user, "m-1")}model.json`)).rejects.toBeInstanceOf(
      ObjectNotFoundError,
    );
    await expect(a.storage.loadModel(user, "m-1", join(work, `again-${user}`))).rejects.toBeInstanceOf(
      ObjectNotFoundError,
    );
    expect(await a.storage.listUserModels(user)).toEqual([]);
    // What A read of the deleted model is gone from its disk too.
    expect(await cachedFiles(a)).toEqual([]);
  });

  it("labels a write's entry with that write's own ETag, even when another replica wrote right after", async () => {
    const bucket = new S3ObjectStore({
      client: replica("0").storage.client,
      bucket: BUCKET,
      batchDelete: true,
    });
    // Another replica overwrites the key between our write and anything we could ask the bucket next.
    const racing: ObjectStore = Object.assign(Object.create(bucket), {
      async putBytes(key: string, data: Uint8Array) {
        const mine = await bucket.putBytes(key, data);
        await bucket.putBytes(key, Buffer.from("theirs!"));
        return mine;
      },
    });
    const cache = new CachingObjectStore(racing, { dir: join(work, "race-cache"), maxBytes: 1024 * KB });
    const key = `results/user_${freshUser()}/job-race/predictions.csv`;
    await cache.putBytes(key, Buffer.from("mine!!!"));
    expect(text(await cache.getBytes(key))).toBe("theirs!");
  });

  it("drops a replica's cached copies when it deletes through the storage", async () => {
    const r = replica();
    const user = freshUser();
    const dir = join(work, `own-${user}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "model.json"), "{}");
    await writeFile(join(dir, "metadata.json"), metadata("mine"));
    await r.storage.saveModel(user, "m-own", dir);
    await r.storage.loadModel(user, "m-own", join(work, `own-loaded-${user}`));
    expect(await cachedFiles(r)).toHaveLength(2);
    await r.storage.deleteModel(user, "m-own");
    expect(await cachedFiles(r)).toEqual([]);
  });

  it("evicts the least recently used entries past the cap, and does not cache what exceeds it", async () => {
    const writer = replica("0");
    const r = replica("1"); // 1 MB: three of the objects below fit
    const uncached = replica("0");
    const user = freshUser();
    const uris = ["a", "b", "c", "d"].map((name) => r.storage.resultUri(user, `job-evict-${name}`));
    for (const uri of uris) await writer.storage.writeBytes(uri, randomBytes(300 * KB));
    const [a, b, c, d] = uris;
    for (const uri of [a, b, c, a]) await r.storage.readBytes(uri); // a is now the most recently used
    r.sent.splice(0);
    await r.storage.readBytes(d); // 1,200 KB > 1,024 KB: b, the least recently used, goes
    expect(gets(r)).toBe(1);
    expect((await cachedFiles(r)).length).toBe(3);
    r.sent.splice(0);
    await r.storage.readBytes(a);
    await r.storage.readBytes(c);
    expect(gets(r)).toBe(0);
    await r.storage.readBytes(b);
    expect(gets(r)).toBe(1);

    await uncached.storage.readBytes(a);
    expect(await cachedFiles(uncached)).toEqual([]); // STORAGE_CACHE_MB=0: no cache at all

    const big = r.storage.resultUri(user, "job-evict-big");
    await writer.storage.writeBytes(big, randomBytes(1100 * KB));
    const before = await cachedFiles(r);
    expect((await r.storage.readBytes(big)).length).toBe(1100 * KB);
    expect(await cachedFiles(r)).toEqual(before);
  });

  it("keeps users apart: each reads their own object under the same model id, never another's", async () => {
    const writer = replica();
    const r = replica();
    const [one, two] = [freshUser(), freshUser()];
    for (const user of [one, two]) {
      const dir = join(work, `iso-${user}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "metadata.json"), metadata(`owner ${user}`));
      await writer.storage.saveModel(user, "m-same", dir);
    }
    const uriOf = (user: number) => `${r.storage.modelUri(user, "m-same")}metadata.json`;
    expect(JSON.parse(text(await r.storage.readBytes(uriOf(one), { userId: one }))).name).toBe(
      `owner ${one}`,
    );
    expect(JSON.parse(text(await r.storage.readBytes(uriOf(two), { userId: two }))).name).toBe(
      `owner ${two}`,
    );
    // Cached or not, another user's file is refused before anything is read.
    await expect(r.storage.readBytes(uriOf(one), { userId: two })).rejects.toBeInstanceOf(
      StoragePermissionError,
    );
    // Cache files are named by hashes: no key (or user id) becomes a path on disk.
    for (const file of await cachedFiles(r))
      expect(file).toMatch(/^\/[0-9a-f]{2}\/[0-9a-f]{64}-[0-9a-f]{16}$/);
  });
});

describe("STORAGE=s3 configuration", () => {
  it("refuses to build without S3_BUCKET, naming the variable", () => {
    expect(() => createUserStorage(loadConfig({ STORAGE: "s3", DATA_DIR: work }))).toThrow(
      CloudConfigurationError,
    );
    expect(() => createUserStorage(loadConfig({ STORAGE: "s3", DATA_DIR: work }))).toThrow(/S3_BUCKET/);
  });
});

describe("model signatures through the cache", () => {
  it("a model read through the cache is verified for its owner; a copy or a tampered one is refused", async () => {
    const writer = replica();
    const r = replica();
    const [owner, thief] = [freshUser(), freshUser()];
    const frame = await loadFixture("penguins");
    const trained = trainModel(frame, {
      modelType: "logistic",
      task: "classification",
      target: "Species",
      features: [],
    });
    const meta = {
      modelId: "m-signed",
      name: "signed",
      modelType: trained.model.modelType,
      taskType: trained.model.task,
      target: trained.model.target,
      features: trained.model.features.map((f) => f.name),
      trainedAt: new Date().toISOString(),
      metrics: trained.metrics,
      trainedOn: "local",
    };
    const dir = join(work, `signed-${owner}`);
    await mkdir(dir, { recursive: true });
    const files = serializeModel(trained.model, meta, SIGNING_KEY, { userId: owner, modelId: "m-signed" });
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    await writer.storage.saveModel(owner, "m-signed", dir);
    await writer.storage.saveModel(thief, "m-signed", dir);

    const load = (userId: number, tag: string) =>
      loadSignedModel(
        r.storage,
        { userId, modelId: "m-signed" },
        join(work, `load-${tag}-${userId}`),
        SIGNING_KEY,
      );
    expect((await load(owner, "miss")).metadata.name).toBe("signed");
    r.sent.splice(0);
    expect((await load(owner, "hit")).metadata.name).toBe("signed");
    expect(gets(r)).toBe(0);
    await expect(load(thief, "copy")).rejects.toBeInstanceOf(ModelIntegrityError);

    // Another replica rewrites the model file behind r's cache: r must load (and refuse) the new bytes.
    const json = JSON.parse(Buffer.from(files["model.json"]).toString("utf8"));
    json.target = "Island";
    await writeFile(join(dir, "model.json"), JSON.stringify(json));
    await writer.storage.saveModel(owner, "m-signed", dir);
    await expect(load(owner, "tampered")).rejects.toBeInstanceOf(ModelIntegrityError);
  });
});

function metadata(name: string): string {
  return JSON.stringify({
    name,
    modelType: "linear_regression",
    taskType: "regression",
    trainedAt: new Date().toISOString(),
  });
}
