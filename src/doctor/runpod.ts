/**
 * The doctor's RunPod checks: the API key, the network volume and its data center (pods mount it, so they
 * run on Secure Cloud there), GPUs in stock in that data center, the volume's S3 API, and the Serverless
 * endpoint.
 */
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { describeFailure } from "../cloud/health.js";
import { RunPodGraphqlClient, runpodDocument } from "../cloud/runpod/client.js";
import { RUNPOD_S3_DATA_CENTERS, runpodApiSettingsFrom } from "../cloud/runpod/config.js";
import { RunPodPodApi } from "../cloud/runpod/pod-api.js";
import { POD_CLOUD } from "../cloud/runpod/pod-launch.js";
import { RunPodServerlessClient } from "../cloud/runpod/serverless-client.js";
import { RunPodStorageManager } from "../cloud/runpod/storage.js";
import type { Config } from "../config.js";
import { type CheckResult, fail, ok, skip } from "./report.js";

const ACCOUNT_QUERY = runpodDocument<{ myself: Account | null }>(
  "query Doctor { myself { id email clientBalance networkVolumes { id name size dataCenterId } } }",
);
const VOLUME_FIX =
  `create a network volume in a data center with an S3 API (${RUNPOD_S3_DATA_CENTERS.slice(0, 4).join(", ")} …), ` +
  "then set RUNPOD_NETWORK_VOLUME_ID and RUNPOD_DATA_CENTER_ID";
const UNAVAILABLE = new Set(["None", "Out", ""]);

interface Account {
  email?: string | null;
  clientBalance?: number | null;
  networkVolumes?: Array<{
    id: string;
    name?: string | null;
    size?: number | null;
    dataCenterId?: string | null;
  }>;
}

export async function runpodChecks(config: Config, fetchImpl: typeof fetch = fetch): Promise<CheckResult[]> {
  const r = config.runpod;
  if (!r.apiKey) return [skip("RunPod", "account", "not configured (RUNPOD_API_KEY is not set)")];
  const client = new RunPodGraphqlClient({ ...runpodApiSettingsFrom(config), timeoutMs: 10_000 }, fetchImpl);
  let account: Account;
  try {
    account = (await client.request(ACCOUNT_QUERY)).myself ?? {};
  } catch (error) {
    return [
      fail(
        "RunPod",
        "API key",
        describeFailure(error),
        "create a key (Console → Settings → API Keys, read/write) and set RUNPOD_API_KEY",
      ),
    ];
  }
  const balance = account.clientBalance ?? 0;
  const results = [ok("RunPod", "API key", `${account.email ?? "account"}, balance $${balance.toFixed(2)}`)];
  const volume = account.networkVolumes?.find((v) => v.id === r.networkVolumeId);
  if (!r.networkVolumeId)
    results.push(fail("RunPod", "network volume", "RUNPOD_NETWORK_VOLUME_ID is not set", VOLUME_FIX));
  else if (!volume)
    results.push(fail("RunPod", "network volume", `${r.networkVolumeId} is not in this account`, VOLUME_FIX));
  else {
    results.push(
      ok(
        "RunPod",
        "network volume",
        `${volume.name ?? volume.id}, ${volume.size ?? "?"} GB, in ${volume.dataCenterId}`,
      ),
    );
    results.push(dataCenter(config, volume.dataCenterId ?? ""));
    results.push(await gpus(new RunPodPodApi(client), volume.dataCenterId ?? ""));
    results.push(await volumeS3(config));
  }
  results.push(await serverless(config, fetchImpl));
  return results;
}

function dataCenter(config: Config, volumeDc: string): CheckResult {
  const set = config.runpod.dataCenterId;
  if (!set || set.toUpperCase() !== volumeDc.toUpperCase()) {
    return fail(
      "RunPod",
      "data center and cloud",
      `RUNPOD_DATA_CENTER_ID is ${set ?? "not set"}, the volume is in ${volumeDc}`,
      `set RUNPOD_DATA_CENTER_ID=${volumeDc}`,
    );
  }
  if (!(RUNPOD_S3_DATA_CENTERS as readonly string[]).includes(volumeDc.toUpperCase())) {
    return fail("RunPod", "data center and cloud", `${volumeDc} has no S3 API for volumes`, VOLUME_FIX);
  }
  return ok(
    "RunPod",
    "data center and cloud",
    `pods run in ${volumeDc} on ${POD_CLOUD} cloud (they mount the volume)`,
  );
}

async function gpus(api: RunPodPodApi, dc: string): Promise<CheckResult> {
  try {
    const here = (await api.dataCenters()).find((d) => d.id.toUpperCase() === dc.toUpperCase());
    const inStock = (here?.gpuAvailability ?? []).filter(
      (g) => g.gpuTypeId && g.gpuTypeId !== "unknown" && !UNAVAILABLE.has(g.stockStatus ?? ""),
    );
    if (inStock.length === 0) {
      return fail(
        "RunPod",
        "GPU availability",
        `no GPU in stock in ${dc} right now`,
        "pods cannot start there now: try later, or use a volume in another data center",
      );
    }
    const shown = inStock.slice(0, 5).map((g) => `${g.gpuTypeId} (${g.stockStatus})`);
    return ok(
      "RunPod",
      "GPU availability",
      `${inStock.length} GPU types in stock in ${dc}: ${shown.join(", ")}`,
    );
  } catch (error) {
    return fail(
      "RunPod",
      "GPU availability",
      describeFailure(error),
      "try again; RunPod's API did not answer",
    );
  }
}

async function volumeS3(config: Config): Promise<CheckResult> {
  const fix =
    "create an S3 API key (Console → Settings → S3 API Keys) and set RUNPOD_STORAGE_ACCESS_KEY and RUNPOD_STORAGE_SECRET_KEY";
  let storage: RunPodStorageManager;
  try {
    storage = RunPodStorageManager.fromConfig(config);
  } catch (error) {
    return fail("RunPod", "volume S3 API", describeFailure(error), fix);
  }
  try {
    await storage.client.send(new HeadBucketCommand({ Bucket: storage.volumeId }));
    return ok("RunPod", "volume S3 API", "the bot can read and write the volume");
  } catch (error) {
    // HEAD answers have no body: the status says what went wrong.
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const detail =
      status === 403
        ? "the S3 API key was refused (HTTP 403)"
        : status === 404
          ? "the volume is not on this S3 endpoint (HTTP 404)"
          : describeFailure(error);
    return fail("RunPod", "volume S3 API", detail, fix);
  } finally {
    storage.client.destroy();
  }
}

async function serverless(config: Config, fetchImpl: typeof fetch): Promise<CheckResult> {
  const r = config.runpod;
  if (!r.serverlessEndpointId) {
    return skip("RunPod", "Serverless endpoint", "not configured (RUNPOD_SERVERLESS_ENDPOINT_ID is not set)");
  }
  const fix =
    "create a queue endpoint running WORKER_IMAGE with the network volume attached (CPU is enough), and set RUNPOD_SERVERLESS_ENDPOINT_ID";
  const client = new RunPodServerlessClient(
    { baseUrl: r.serverlessUrl, endpointId: r.serverlessEndpointId, apiKey: r.apiKey!, timeoutMs: 10_000 },
    fetchImpl,
  );
  try {
    const answer = await client.request<{ workers?: Record<string, number> }>("GET", "health");
    if (!answer.found)
      return fail("RunPod", "Serverless endpoint", `${r.serverlessEndpointId} does not exist`, fix);
    const w = answer.body.workers ?? {};
    return ok(
      "RunPod",
      "Serverless endpoint",
      `${r.serverlessEndpointId}: ${w.idle ?? 0} idle, ${w.running ?? 0} running workers`,
    );
  } catch (error) {
    return fail("RunPod", "Serverless endpoint", describeFailure(error), fix);
  }
}
