/**
 * `npm run bench -- cloud` (tsx bench/cloud/control-plane.ts [--runs 2] [--poll-ms 100]): the overhead of the
 * control plane with the fake RunPod server: how long from "launch" until the first progress update reaches
 * monitorTraining, and from the worker's completion until monitorTraining shows the result, next to the
 * job's own training time. The pod's image pull is simulated as instant, so the numbers are our overhead:
 * GraphQL round trips, the readiness wait, worker start-up, storage on s3rver, and polling. Not a test.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalStorageManager } from "../../src/cloud/local/storage.js";
import type { TrainingLaunchConfig } from "../../src/cloud/provider-interface.js";
import { RunPodGraphqlClient } from "../../src/cloud/runpod/client.js";
import { RunPodPodManager } from "../../src/cloud/runpod/compute.js";
import { RunPodOfferSource } from "../../src/cloud/runpod/offers.js";
import { RunPodPodApi } from "../../src/cloud/runpod/pod-api.js";
import { createRunPodS3Client, RunPodStorageManager } from "../../src/cloud/runpod/storage.js";
import { owns } from "../../src/cloud/staging.js";
import { startFakeRunPodServer } from "../../test/fakes/runpod/server.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const VOLUME = "v3zskt9gvb";
const KEY = "bench-signing-key-0123456789abcdef0123456789";
const USER = 1;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A synthetic classification table (fixed seed) of n rows × 10 numeric features. */
function syntheticCsv(n: number): string {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed / 2 ** 31) * 2 - 1;
  };
  const lines = [`${Array.from({ length: 10 }, (_, j) => `x${j}`).join(",")},label`];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: 10 }, rand);
    lines.push(`${x.map((v) => v.toFixed(4)).join(",")},${x[0] + x[1] * x[2] > 0 ? "yes" : "no"}`);
  }
  return `${lines.join("\n")}\n`;
}

interface Row {
  worker: string;
  job: string;
  launchMs: number;
  firstProgressMs: number;
  workerSeconds: number;
  fitSeconds: number;
  resultVisibleMs: number;
  pollErrors: number;
}

/** The worker as the image runs it: bundled by esbuild (see the Dockerfile), packages from node_modules. */
function bundleWorker(): string {
  const dir = join(ROOT, "node_modules", ".cache", `sma-bench-worker-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, "worker.mjs");
  const args = ["src/worker/container.ts", "--bundle", "--platform=node", "--target=node20", "--format=esm"];
  const run = spawnSync(
    join(ROOT, "node_modules", ".bin", "esbuild"),
    [...args, "--packages=external", "--keep-names", `--outfile=${outfile}`],
    { cwd: ROOT },
  );
  if (run.status !== 0) throw new Error(`esbuild failed: ${run.stderr}`);
  return outfile;
}

async function main(): Promise<void> {
  const runs = arg("runs", 2);
  const pollMs = arg("poll-ms", 100);
  const work = mkdtempSync(join(tmpdir(), "sma-bench-cloud-"));
  const bundled = bundleWorker();
  const synthetic = join(work, "synthetic.csv");
  writeFileSync(synthetic, syntheticCsv(20_000));
  const datasets = [
    {
      name: "iris (150 × 4)",
      file: fileURLToPath(new URL("../../test/fixtures/iris.csv", import.meta.url)),
      target: "species",
      features: ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"],
    },
    {
      name: "synthetic (20,000 × 10)",
      file: synthetic,
      target: "label",
      features: Array.from({ length: 10 }, (_, j) => `x${j}`),
    },
  ];
  const modes = [
    { name: "bundled (image)", workerArgs: [bundled] },
    { name: "tsx (source)", workerArgs: undefined },
  ];
  const rows: Row[] = [];
  try {
    for (const mode of modes) {
      const world = await startWorld(mode.workerArgs, pollMs, join(work, `home-${mode.name}`));
      try {
        for (const d of datasets) {
          const datasetUri = await world.home.uploadDataset(USER, d.file, "data.csv");
          for (let r = 0; r < runs; r++) {
            const row = await runOne(
              world.manager,
              world.storage,
              `${d.name} #${r + 1}`,
              datasetUri,
              d.target,
              d.features,
              pollMs,
            );
            rows.push({ ...row, worker: mode.name });
            await world.fake.pods.workersExited();
          }
        }
      } finally {
        await world.close();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(join(bundled, ".."), { recursive: true, force: true });
  }
  print(rows, pollMs);
}

async function startWorld(workerArgs: string[] | undefined, pollMs: number, homeDir: string) {
  const fake = await startFakeRunPodServer({ pullMs: 0, workerArgs });
  const settings = {
    volumeId: VOLUME,
    endpoint: fake.volumes.endpoint,
    region: "eu-ro-1",
    checksumWhenRequired: true,
  };
  const storage = new RunPodStorageManager(
    createRunPodS3Client(settings, fake.volumes.credentials),
    settings,
  );
  const home = new LocalStorageManager(homeDir);
  const api = new RunPodPodApi(
    new RunPodGraphqlClient({ apiUrl: fake.graphqlUrl, apiKey: fake.apiKey, timeoutMs: 5_000 }),
  );
  const manager = new RunPodPodManager({
    api,
    storage,
    offers: new RunPodOfferSource({ api, allowSpot: false }),
    resolveStorage: (uri) => (owns(home, uri) ? home : storage),
    homeStorage: home,
    signingKey: KEY,
    settings: {
      workerImage: "sma-worker:bench",
      networkVolumeId: VOLUME,
      dataCenterId: "EU-RO-1",
      podReadyTimeoutSeconds: 120,
      containerDiskInGb: 10,
      minVcpuCount: 2,
      minMemoryInGb: 8,
      workerEnv: { RUNPOD_API_URL: fake.graphqlUrl, LOG_LEVEL: "silent" },
      terminateAfterMarginMinutes: 10,
      createAttempts: 1,
    },
    readinessPollMs: pollMs,
  });
  return {
    fake,
    storage,
    home,
    manager,
    async close() {
      await fake.close();
      storage.client.destroy();
    },
  };
}

async function runOne(
  manager: RunPodPodManager,
  storage: RunPodStorageManager,
  job: string,
  datasetUri: string,
  target: string,
  features: string[],
  pollMs: number,
): Promise<Omit<Row, "worker">> {
  const jobId = `bench-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  const config: TrainingLaunchConfig = {
    jobId,
    computeType: "NVIDIA RTX A5000/SECURE",
    datasetUri,
    modelId: `m-${jobId}`,
    userId: USER,
    modelType: "mlp",
    taskType: "classification",
    targetColumn: target,
    featureColumns: features,
    hyperparameters: { hiddenLayerSizes: [16], maxIter: 60 },
    deadline: new Date(Date.now() + 30 * 60_000).toISOString(),
  };
  const started = Date.now();
  await manager.launchTraining(config);
  const launched = Date.now();
  let firstProgress = 0;
  let pollErrors = 0;
  for (;;) {
    // Like the training flow's monitor: a failed poll is counted and the next one tried.
    const polled = Date.now();
    const status = await manager.monitorTraining(jobId).catch((error: Error) => {
      pollErrors++;
      process.stderr.write(
        `poll failed after ${Date.now() - polled} ms: ${error.message} ${String((error as { cause?: unknown }).cause)}\n`,
      );
      return undefined;
    });
    if (status && !firstProgress && status.progress > 0) firstProgress = Date.now();
    if (status && (status.status === "complete" || status.status === "failed")) {
      if (status.status === "failed") throw new Error(`bench job failed: ${status.error?.message}`);
      const stored = JSON.parse(
        Buffer.from(await storage.readBytes(storage.jobUri(jobId, "result.json"))).toString(),
      );
      const finishedAt = Date.parse(String(stored.finishedAt));
      return {
        job,
        launchMs: launched - started,
        firstProgressMs: (firstProgress || Date.now()) - started,
        workerSeconds: status.runtimeSeconds,
        fitSeconds: Number(status.summary?.fitSeconds ?? Number.NaN),
        resultVisibleMs: Date.now() - finishedAt,
        pollErrors,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function print(rows: Row[], pollMs: number): void {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  console.log(
    `\nControl-plane overhead, fake RunPod (instant image pull), monitor polled every ${pollMs} ms\n`,
  );
  console.log(
    "| worker start | job | launch call (s) | launch → first progress (s) | fit (s) | pod billed (s) | worker done → result seen (s) | overhead / fit | failed polls |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const overhead = r.firstProgressMs / 1000 + r.resultVisibleMs / 1000;
    console.log(
      `| ${r.worker} | ${r.job} | ${s(r.launchMs)} | ${s(r.firstProgressMs)} | ${r.fitSeconds.toFixed(2)} | ${r.workerSeconds.toFixed(1)} | ${s(r.resultVisibleMs)} | ${(overhead / r.fitSeconds).toFixed(1)}× | ${r.pollErrors} |`,
    );
  }
}

await main();
