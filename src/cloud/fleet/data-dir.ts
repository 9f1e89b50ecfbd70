/**
 * Every bot replica and worker of a fleet must see the same storage. With S3 (STORAGE=s3) the first process
 * records the bucket in Redis and the others must name the same one; each host keeps its own DATA_DIR (a
 * cache). With local storage, every bot replica and every worker of a fleet must use one DATA_DIR (a shared volume):
 * a model trained on one host is read by the others. The first process records a fleet id in Redis and in
 * DATA_DIR/.fleet-id; a process whose DATA_DIR carries another id, or none while Redis has one, refuses to
 * start rather than train into a folder nobody else can see.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { CloudConfigurationError } from "../../errors.js";

export const FLEET_ID_FILE = ".fleet-id";
/** Another process may be writing the marker of a fresh fleet right now: it gets this long. */
const MARKER_GRACE_MS = 3000;

/** `location` is the fleet's S3 location with STORAGE=s3, undefined with local storage. */
export async function checkFleetStorage(
  redis: Redis,
  key: string,
  storage: { dataDir: string; location?: string },
): Promise<void> {
  if (storage.location === undefined) return checkSharedDataDir(redis, key, storage.dataDir);
  const claimed = (await redis.set(key, storage.location, "NX")) === "OK";
  const fleet = claimed ? storage.location : await redis.get(key);
  if (fleet === storage.location) return;
  throw new CloudConfigurationError(
    `This fleet keeps its data in ${describe(fleet)}, not in ${storage.location}: every bot replica and worker must use the same storage.`,
    { redisKey: key },
    {
      recovery: `Give this process the fleet's STORAGE, S3_BUCKET and S3_ENDPOINT. If you moved the whole fleet on purpose, delete the Redis key ${key} and start again.`,
    },
  );
}

function describe(recorded: string | null): string {
  return recorded?.startsWith("s3://") ? recorded : "a shared DATA_DIR (STORAGE=local)";
}

export async function checkSharedDataDir(redis: Redis, key: string, dataDir: string): Promise<void> {
  const markerPath = join(dataDir, FLEET_ID_FILE);
  const local = await readMarker(markerPath);
  const candidate = local ?? randomUUID();
  const claimed = (await redis.set(key, candidate, "NX")) === "OK";
  if (claimed && !local) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(markerPath, candidate, { flag: "wx" });
    return;
  }
  const fleetId = claimed ? candidate : await redis.get(key);
  const seen = local ?? (await waitForMarker(markerPath));
  if (seen === fleetId) return;
  if (fleetId?.startsWith("s3://")) {
    throw new CloudConfigurationError(
      `This fleet keeps its data in ${fleetId}, but this process uses local storage (STORAGE=local).`,
      { dataDir, redisKey: key },
      { recovery: "Give this process the fleet's STORAGE=s3, S3_BUCKET and S3_ENDPOINT." },
    );
  }
  throw new CloudConfigurationError(
    `DATA_DIR (${dataDir}) is not the folder the rest of this fleet uses: bot replicas and workers with local storage must share one DATA_DIR.`,
    { dataDir, redisKey: key },
    {
      recovery: `Mount the fleet's shared DATA_DIR here (or configure S3). If you moved the whole fleet to this folder on purpose, delete the Redis key ${key} and start again.`,
    },
  );
}

async function readMarker(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function waitForMarker(path: string): Promise<string | undefined> {
  const until = Date.now() + MARKER_GRACE_MS;
  for (;;) {
    const marker = await readMarker(path);
    if (marker || Date.now() > until) return marker;
    await new Promise((r) => setTimeout(r, 100));
  }
}
