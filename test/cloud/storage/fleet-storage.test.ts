/**
 * Which storage a fleet's processes must share, checked on real Redis: with STORAGE=s3 every process names
 * the same bucket and keeps its own DATA_DIR; with local storage they share DATA_DIR; the two never mix.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkFleetStorage } from "../../../src/cloud/fleet/data-dir.js";
import { sharedStorageLocation } from "../../../src/cloud/storage-user.js";
import { loadConfig } from "../../../src/config.js";
import { CloudConfigurationError } from "../../../src/errors.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../../helpers/redis.js";

let redis: Redis;
let work: string;
const prefix = testPrefix("fleet-storage");
let n = 0;
const fleetKey = () => `${prefix}:fleet-${++n}:data-dir`;

beforeAll(async () => {
  redis = new Redis(REDIS_TEST_URL);
  work = await mkdtemp(join(tmpdir(), "fleet-storage-"));
});

afterAll(async () => {
  await deletePrefix(prefix);
  await redis?.quit();
  await rm(work, { recursive: true, force: true });
});

/** One process's view: its own DATA_DIR, and STORAGE=s3 on `bucket` or local storage. */
function host(name: string, bucket?: string) {
  const dataDir = join(work, name);
  const s3 = bucket
    ? { STORAGE: "s3", S3_BUCKET: bucket, S3_ENDPOINT: "http://127.0.0.1:9000", S3_FORCE_PATH_STYLE: "true" }
    : {};
  return { dataDir, location: sharedStorageLocation(loadConfig({ DATA_DIR: dataDir, ...s3 })) };
}

describe("the storage a fleet shares", () => {
  it("with S3: processes on different DATA_DIRs join when they name the same bucket", async () => {
    const key = fleetKey();
    await checkFleetStorage(redis, key, host("s3-a", "sma-fleet"));
    await checkFleetStorage(redis, key, host("s3-b", "sma-fleet"));
    await checkFleetStorage(redis, key, host("s3-a", "sma-fleet"));
    expect(await redis.get(key)).toBe("s3://sma-fleet/ at http://127.0.0.1:9000");
  });

  it("with S3: a process on another bucket is refused", async () => {
    const key = fleetKey();
    await checkFleetStorage(redis, key, host("b1", "sma-fleet"));
    await expect(checkFleetStorage(redis, key, host("b2", "sma-other"))).rejects.toThrow(
      /keeps its data in s3:\/\/sma-fleet\//,
    );
  });

  it("local storage and S3 never mix in one fleet", async () => {
    const s3First = fleetKey();
    await checkFleetStorage(redis, s3First, host("mix-s3", "sma-fleet"));
    await expect(checkFleetStorage(redis, s3First, host("mix-local"))).rejects.toThrow(/STORAGE=local/);

    const localFirst = fleetKey();
    await checkFleetStorage(redis, localFirst, host("mix-local-first"));
    await expect(checkFleetStorage(redis, localFirst, host("mix-s3-later", "sma-fleet"))).rejects.toThrow(
      /a shared DATA_DIR/,
    );
  });

  it("with local storage: a second DATA_DIR is still refused", async () => {
    const key = fleetKey();
    await checkFleetStorage(redis, key, host("local-a"));
    await checkFleetStorage(redis, key, host("local-a"));
    await expect(checkFleetStorage(redis, key, host("local-b"))).rejects.toBeInstanceOf(
      CloudConfigurationError,
    );
  });
});
