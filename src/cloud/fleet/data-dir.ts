/**
 * With local storage, every bot replica and every worker of a fleet must use one DATA_DIR (a shared volume):
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
