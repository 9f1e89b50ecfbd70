/**
 * The storage contract (provider-interface.ts), one suite run against local disk, S3 on s3rver and a
 * RunPod volume on s3rver: round trips, listings with metadata, model directories, deletes, and every
 * isolation attack refused without touching anybody else's files.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Manager } from "../../../src/cloud/aws/storage.js";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import type { CloudStorageProvider } from "../../../src/cloud/provider-interface.js";
import { RunPodStorageManager } from "../../../src/cloud/runpod/storage.js";
import type { StorageManager } from "../../../src/cloud/storage-manager.js";
import { createUserStorage } from "../../../src/cloud/storage-user.js";
import { loadConfig } from "../../../src/config.js";
import {
  ObjectNotFoundError,
  StoragePermissionError,
  UnreadableFileError,
  UploadError,
} from "../../../src/errors.js";
import {
  recordCommands,
  S3RVER_CREDENTIALS,
  type S3rverHandle,
  s3rverEnv,
  startS3rver,
} from "../../helpers/s3rver.js";

const AWS_BUCKET = "sma-contract";
const RUNPOD_VOLUME = "rpvolcontract1";
const CACHED_BUCKET = "sma-contract-cached";
const MB = 1024 * 1024;

/** The shared implementation, seen through the interface (where presignGetUrl is optional). */
type Storage = StorageManager & CloudStorageProvider;

interface Harness {
  storage: Storage;
  /** URIs of another bucket/volume/root that holds `datasets/user_1/foreign.csv`. */
  foreignUris: string[];
  /** Names of S3 commands sent, for backends that speak S3. */
  commands?: string[];
}

let server: S3rverHandle;
let work: string;
let bigFile: string;
let irisCsv: Buffer;

beforeAll(async () => {
  server = await startS3rver([AWS_BUCKET, RUNPOD_VOLUME, CACHED_BUCKET]);
  work = await mkdtemp(join(tmpdir(), "storage-contract-"));
  bigFile = join(work, "big.bin");
  await writeFile(bigFile, randomBytes(12 * MB));
  irisCsv = await readFile("test/fixtures/iris.csv");
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function s3Storage(): S3Manager {
  const config = loadConfig({
    ...s3rverEnv(server, AWS_BUCKET),
  });
  return S3Manager.fromConfig(config);
}

/** The bot's own storage with STORAGE=s3: the bucket behind a local cache (12 MB, so the big file is not cached). */
function cachedS3Storage(): S3Manager {
  const config = loadConfig({
    STORAGE: "s3",
    STORAGE_CACHE_MB: "12",
    DATA_DIR: join(work, `cache-host-${randomBytes(3).toString("hex")}`),
    ...s3rverEnv(server, CACHED_BUCKET),
  });
  return createUserStorage(config) as S3Manager;
}

function runpodStorage(): RunPodStorageManager {
  const config = loadConfig({
    RUNPOD_NETWORK_VOLUME_ID: RUNPOD_VOLUME,
    RUNPOD_DATA_CENTER_ID: "EU-RO-1",
    RUNPOD_STORAGE_ENDPOINT: server.endpoint,
    RUNPOD_STORAGE_ACCESS_KEY: S3RVER_CREDENTIALS.accessKeyId,
    RUNPOD_STORAGE_SECRET_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  });
  return RunPodStorageManager.fromConfig(config);
}

interface Backend {
  name: string;
  make: () => Promise<Harness>;
}

/** An S3 backend on `bucket`; the same key on the RunPod volume is the foreign file. */
function s3Backend(name: string, bucket: string, create: () => S3Manager): Backend {
  return {
    name,
    async make() {
      const storage = create();
      await runpodStorage().writeBytes(`runpod://${RUNPOD_VOLUME}/datasets/user_1/foreign.csv`, "foreign");
      return {
        storage,
        commands: recordCommands(storage.client),
        foreignUris: [
          `s3://${RUNPOD_VOLUME}/datasets/user_1/foreign.csv`,
          `runpod://${bucket}/datasets/user_1/foreign.csv`,
          `s3://${bucket}x/datasets/user_1/foreign.csv`,
        ],
      };
    },
  };
}

const backends: Backend[] = [
  {
    name: "local disk",
    async make() {
      const root = join(work, "data root");
      const sibling = new LocalStorageManager(`${root}-other`);
      await sibling.writeBytes(sibling.uriFor("datasets/user_1/foreign.csv"), "foreign");
      return {
        storage: new LocalStorageManager(root),
        foreignUris: [
          sibling.uriFor("datasets/user_1/foreign.csv"),
          `${new LocalStorageManager(work).uris.prefix}datasets/user_1/foreign.csv`,
        ],
      };
    },
  },
  s3Backend("S3 on s3rver", AWS_BUCKET, s3Storage),
  s3Backend("S3 with a local cache (STORAGE=s3)", CACHED_BUCKET, cachedS3Storage),
  {
    name: "RunPod volume on s3rver",
    async make() {
      const storage = runpodStorage();
      await s3Storage().writeBytes(`s3://${AWS_BUCKET}/datasets/user_1/foreign.csv`, "foreign");
      return {
        storage,
        commands: recordCommands(storage.client),
        foreignUris: [
          `runpod://${AWS_BUCKET}/datasets/user_1/foreign.csv`,
          `s3://${RUNPOD_VOLUME}/datasets/user_1/foreign.csv`,
          `runpod://${RUNPOD_VOLUME}x/datasets/user_1/foreign.csv`,
        ],
      };
    },
  },
];

const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function makeModelDir(name: string, trainedAt: string, extra: Record<string, unknown> = {}) {
  const dir = join(work, `model-${name}-${randomBytes(3).toString("hex")}`);
  await mkdir(join(dir, "charts"), { recursive: true });
  await writeFile(join(dir, "model.json"), JSON.stringify({ format: "sma-model", version: 1, name }));
  await writeFile(join(dir, "charts", "roc.png"), randomBytes(3000));
  const metadata = {
    name,
    modelType: "random_forest",
    taskType: "classification",
    trainedAt,
    metrics: { accuracy: 0.93 },
    trainedOn: "local",
    ...extra,
  };
  await writeFile(join(dir, "metadata.json"), JSON.stringify(metadata));
  return dir;
}

describe.each(backends)("storage contract: $name", ({ make }) => {
  let h: Harness;
  let s: Storage;
  let nextUser = 100;
  const newUser = () => nextUser++;

  beforeAll(async () => {
    h = await make();
    s = h.storage;
  });

  it("uploads a dataset, lists it with its metadata, and downloads the same bytes", async () => {
    const user = newUser();
    const source = join(work, "iris upload.csv");
    await writeFile(source, irisCsv);
    const uri = await s.uploadDataset(user, source, "Ирис: данные/2024.csv");
    expect(uri).toMatch(
      new RegExp(`^${escapeRegExp(s.uris.prefix)}datasets/user_${user}/ds-\\d{14}-[0-9a-f]{8}\\.csv$`),
    );

    const [info, ...more] = await s.listUserDatasets(user);
    expect(more).toEqual([]);
    expect(info).toMatchObject({ name: "Ирис_ данные_2024.csv", uri, size: irisCsv.length, format: "csv" });
    expect(uri.endsWith(`/${info.datasetId}.csv`)).toBe(true);
    expect(Date.parse(info.uploadedAt)).not.toBeNaN();

    const target = join(work, `download-${user}.csv`);
    await s.downloadFile(uri, target, { userId: user });
    expect(await readFile(target)).toEqual(irisCsv);
    expect(Buffer.from(await s.readBytes(uri, { userId: user }))).toEqual(irisCsv);
    expect(await s.exists(uri, { userId: user })).toBe(true);
  });

  it("round-trips a 12 MB file byte for byte (multipart on S3 backends)", async () => {
    const user = newUser();
    const uri = s.resultUri(user, "job-bigfile1", "big.bin");
    h.commands?.splice(0);
    expect(await s.uploadFile(bigFile, uri, { userId: user })).toBe(uri);
    if (h.commands) {
      expect(h.commands).toContain("CreateMultipartUploadCommand");
      expect(h.commands.filter((c) => c === "UploadPartCommand")).toHaveLength(3);
      expect(h.commands).toContain("CompleteMultipartUploadCommand");
    }
    const target = join(work, `big-${user}.bin`);
    await s.downloadFile(uri, target, { userId: user });
    expect(await sha256(target)).toBe(await sha256(bigFile));
  });

  it("saves and loads a model directory, lists models newest first, reads metadata", async () => {
    const user = newUser();
    const older = await makeModelDir("Older", "2026-01-01T00:00:00.000Z");
    const newer = await makeModelDir("Newer", "2026-02-01T00:00:00.000Z", { cost: 0.12 });
    expect(await s.saveModel(user, "m-older", older)).toBe(s.modelUri(user, "m-older"));
    await s.saveModel(user, "m-newer", newer);

    const models = await s.listUserModels(user);
    expect(models.map((m) => m.modelId)).toEqual(["m-newer", "m-older"]);
    expect(models[0]).toMatchObject({
      name: "Newer",
      uri: s.modelUri(user, "m-newer"),
      modelType: "random_forest",
      taskType: "classification",
      trainedAt: "2026-02-01T00:00:00.000Z",
      metrics: { accuracy: 0.93 },
      trainedOn: "local",
      cost: 0.12,
    });
    expect(await s.getModelMetadata(user, "m-older")).toMatchObject({ name: "Older", trainedOn: "local" });

    const loaded = await s.loadModel(user, "m-newer", join(work, `loaded-${user}`));
    for (const file of ["model.json", "metadata.json", join("charts", "roc.png")]) {
      expect(await readFile(join(loaded, file))).toEqual(await readFile(join(newer, file)));
    }
  });

  it("skips a model whose metadata.json is malformed instead of failing the listing", async () => {
    const user = newUser();
    await s.saveModel(user, "m-good", await makeModelDir("Good", "2026-03-01T00:00:00.000Z"));
    const bad = await makeModelDir("Bad", "2026-03-02T00:00:00.000Z");
    await writeFile(join(bad, "metadata.json"), "{ not json");
    await s.saveModel(user, "m-bad", bad);
    expect((await s.listUserModels(user)).map((m) => m.modelId)).toEqual(["m-good"]);
  });

  it("deletes datasets and whole model directories, and says so when they are gone", async () => {
    const user = newUser();
    const source = join(work, "tiny.csv");
    await writeFile(source, "a,b\n1,2\n");
    const uri = await s.uploadDataset(user, source);
    const [{ datasetId }] = await s.listUserDatasets(user);
    await s.saveModel(user, "m-doomed", await makeModelDir("Doomed", "2026-01-01T00:00:00.000Z"));
    await s.saveModel(user, "m-kept", await makeModelDir("Kept", "2026-01-01T00:00:00.000Z"));

    await s.deleteDataset(user, datasetId);
    await s.deleteModel(user, "m-doomed");

    expect(await s.listUserDatasets(user)).toEqual([]);
    expect(await s.exists(uri, { userId: user })).toBe(false);
    await expect(s.readBytes(uri, { userId: user })).rejects.toThrow(ObjectNotFoundError);
    await expect(s.deleteDataset(user, datasetId)).rejects.toThrow(ObjectNotFoundError);
    expect((await s.listUserModels(user)).map((m) => m.modelId)).toEqual(["m-kept"]);
    await expect(s.loadModel(user, "m-doomed", join(work, "nothing"))).rejects.toThrow(ObjectNotFoundError);
    await expect(s.getModelMetadata(user, "m-doomed")).rejects.toThrow(ObjectNotFoundError);
    await expect(s.deleteModel(user, "m-doomed")).rejects.toThrow(ObjectNotFoundError);
  });

  it("reads, rewrites and deletes the job channel", async () => {
    const uri = s.jobUri("job-channel1", "progress.json");
    await s.writeBytes(uri, '{"percent":10}');
    await s.writeBytes(uri, '{"percent":55}');
    expect(text(await s.readBytes(uri))).toBe('{"percent":55}');
    await s.delete(uri);
    await s.delete(uri);
    expect(await s.exists(uri)).toBe(false);
  });

  it("leaves no partial file when a download fails", async () => {
    const target = join(work, "never.csv");
    await expect(s.downloadFile(s.jobUri("job-missing1", "result.json"), target)).rejects.toThrow(
      ObjectNotFoundError,
    );
    expect(existsSync(target)).toBe(false);
  });

  it("refuses unsupported formats and missing local files", async () => {
    const source = join(work, "notes.docx");
    await writeFile(source, "hello");
    await expect(s.uploadDataset(newUser(), source)).rejects.toThrow(UnreadableFileError);
    await expect(s.uploadDataset(newUser(), join(work, "missing.csv"))).rejects.toThrow(UploadError);
    await expect(s.saveModel(newUser(), "m-x", join(work, "missing-dir"))).rejects.toThrow(UploadError);
  });

  it("offers presigned links only where the backend has them", async () => {
    const uri = s.resultUri(7, "job-presign1");
    await s.writeBytes(uri, "id,prediction\n1,2\n", { userId: 7 });
    if (s.provider !== "aws") {
      expect(s.presignGetUrl).toBeUndefined();
      return;
    }
    const url = await s.presignGetUrl!(uri, 60, { userId: 7 });
    const response = await fetch(url);
    expect(await response.text()).toBe("id,prediction\n1,2\n");
    await expect(s.presignGetUrl!(uri, 60, { userId: 8 })).rejects.toThrow(StoragePermissionError);
  });

  describe("isolation", () => {
    const victims = {
      other: "datasets/user_2/victim.csv",
      longerId: "datasets/user_12/victim.csv",
      job: "jobs/job-victim1/spec.json",
      model: "models/user_2/m-victim/metadata.json",
    };
    let probe: string;

    beforeAll(async () => {
      for (const key of Object.values(victims)) await s.writeBytes(s.uriFor(key), `secret ${key}`);
      probe = join(work, "probe.csv");
      await writeFile(probe, "pwned");
    });

    const attacks = (p: string): string[] => [
      `${p}datasets/user_1/../user_2/victim.csv`,
      `${p}datasets/user_1/%2e%2e/user_2/victim.csv`,
      `${p}datasets/user_1/%2E%2E%2Fuser_2%2Fvictim.csv`,
      `${p}datasets/user_1/%252e%252e/user_2/victim.csv`,
      `${p}datasets/user_1/..%252fuser_2%252fvictim.csv`,
      `${p}datasets/user_1/..\\user_2\\victim.csv`,
      `${p}datasets\\user_2\\victim.csv`,
      `${p}datasets//user_2/victim.csv`,
      `${p}datasets/user_1//../user_2/victim.csv`,
      `${p}/datasets/user_2/victim.csv`,
      `${p}datasets/user_2/victim.csv`,
      `${p}datasets/user_12/victim.csv`,
      `${p}datasets/user_01/victim.csv`,
      `${p}datasets/user_1x/../user_2/victim.csv`,
      `${p}models/user_2/m-victim/metadata.json`,
      `${p}jobs/job-victim1/spec.json`,
      `${p}datasets/user_1/victim.csv\u0000/../../user_2/victim.csv`,
      `${p}datasets/user_1/\uff0e\uff0e/user_2/victim.csv`,
      `${p.toUpperCase()}datasets/user_1/victim.csv`,
    ];

    const operations = (uri: string): Array<[string, () => Promise<unknown>]> => [
      ["readBytes", () => s.readBytes(uri, { userId: 1 })],
      ["exists", () => s.exists(uri, { userId: 1 })],
      ["downloadFile", () => s.downloadFile(uri, join(work, "stolen.csv"), { userId: 1 })],
      ["writeBytes", () => s.writeBytes(uri, "pwned", { userId: 1 })],
      ["uploadFile", () => s.uploadFile(probe, uri, { userId: 1 })],
      ["delete", () => s.delete(uri, { userId: 1 })],
      ...(s.presignGetUrl
        ? [
            ["presignGetUrl", () => s.presignGetUrl!(uri, 60, { userId: 1 })] as [
              string,
              () => Promise<unknown>,
            ],
          ]
        : []),
    ];

    it("refuses every spelling of a path outside user_1, and every other container", async () => {
      const uris = [...attacks(s.uris.prefix), ...h.foreignUris];
      for (const uri of uris) {
        for (const [name, run] of operations(uri)) {
          await expect(run(), `${name} ${JSON.stringify(uri)}`).rejects.toThrow(StoragePermissionError);
        }
      }
      expect(existsSync(join(work, "stolen.csv"))).toBe(false);
      for (const key of Object.values(victims)) {
        expect(text(await s.readBytes(s.uriFor(key)))).toBe(`secret ${key}`);
      }
    });

    it("refuses ids that try to leave the caller's prefix", async () => {
      const dir = await makeModelDir("Evil", "2026-01-01T00:00:00.000Z");
      const attempts: Array<() => Promise<unknown>> = [
        () => s.loadModel(1, "../user_2/m-victim", join(work, "stolen-model")),
        () => s.getModelMetadata(1, "../user_2/m-victim"),
        () => s.getModelMetadata(1, "m-victim/../../user_2/m-victim"),
        () => s.deleteModel(1, ".."),
        () => s.deleteModel(1, "../user_2/m-victim"),
        () => s.deleteDataset(1, "../user_2/victim"),
        () => s.deleteDataset(1, "..%2fuser_2%2fvictim"),
        () => s.saveModel(1, "../user_2/m-victim", dir),
        () => s.uploadDataset(-2, probe, "x.csv"),
        () => s.listUserDatasets(0),
      ];
      for (const attempt of attempts) await expect(attempt()).rejects.toThrow(StoragePermissionError);
      expect(text(await s.readBytes(s.uriFor(victims.model)))).toBe(`secret ${victims.model}`);
    });

    it("never lists user_55's files to user_5", async () => {
      await s.writeBytes(s.uriFor("datasets/user_5/ds-own1.csv"), "a\n1\n");
      await s.writeBytes(s.uriFor("datasets/user_55/ds-other1.csv"), "a\n1\n");
      await s.saveModel(55, "m-fiftyfive", await makeModelDir("55", "2026-01-01T00:00:00.000Z"));
      const datasets = await s.listUserDatasets(5);
      expect(datasets.map((d) => d.datasetId)).toEqual(["ds-own1"]);
      expect(await s.listUserModels(5)).toEqual([]);
      expect(await s.listUserModels(55)).toHaveLength(1);
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
