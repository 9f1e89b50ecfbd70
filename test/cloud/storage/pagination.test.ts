/**
 * Listings past one ListObjectsV2 page (1,000 keys), on S3 over s3rver: every dataset and every model is
 * listed once, with its metadata. One backend is enough here; the paging code is shared with RunPod.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Manager } from "../../../src/cloud/aws/storage.js";
import { mapLimit } from "../../../src/cloud/storage-files.js";
import { loadConfig } from "../../../src/config.js";
import { type S3rverHandle, s3rverEnv, startS3rver } from "../../helpers/s3rver.js";

const BUCKET = "sma-pagination";
const DATASETS = 1005;
const MODELS = 510; // two files each: 1,020 objects under the user's models/ prefix

let server: S3rverHandle;
let work: string;
let storage: S3Manager;

beforeAll(async () => {
  server = await startS3rver([BUCKET]);
  work = await mkdtemp(join(tmpdir(), "pagination-"));
  storage = S3Manager.fromConfig(
    loadConfig({
      ...s3rverEnv(server, BUCKET),
    }),
  );
});

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("listing past 1,000 objects", () => {
  it("lists every dataset once, with its name", async () => {
    const file = join(work, "d.csv");
    await writeFile(file, "a\n1\n");
    const indexes = Array.from({ length: DATASETS }, (_, i) => i);
    await mapLimit(indexes, 16, (i) => storage.uploadDataset(3, file, `set ${i}.csv`));

    const datasets = await storage.listUserDatasets(3);
    expect(datasets).toHaveLength(DATASETS);
    expect(new Set(datasets.map((d) => d.name))).toEqual(new Set(indexes.map((i) => `set ${i}.csv`)));
    expect(new Set(datasets.map((d) => d.uri)).size).toBe(DATASETS);
  });

  it("lists every model once from its metadata.json", async () => {
    const ids = Array.from({ length: MODELS }, (_, i) => `m-${String(i).padStart(4, "0")}`);
    await mapLimit(ids, 8, async (id) => {
      const meta = {
        modelType: "ridge",
        taskType: "regression",
        trainedAt: "2026-01-01T00:00:00Z",
        name: id,
      };
      await storage.writeBytes(storage.uriFor(`models/user_3/${id}/model.json`), "{}");
      await storage.writeBytes(storage.uriFor(`models/user_3/${id}/metadata.json`), JSON.stringify(meta));
    });

    const models = await storage.listUserModels(3);
    expect(models.map((m) => m.modelId).sort()).toEqual(ids);
    expect(models.every((m) => m.name === m.modelId && m.taskType === "regression")).toBe(true);
  });
});
