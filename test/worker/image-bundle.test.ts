/**
 * The worker image's build step, taken from the Dockerfile itself (its `npx esbuild …` line), bundles a worker
 * that trains a model from a spec in S3 (s3rver) like the image would on EC2: the image's code path is tested
 * even where Docker cannot run.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobChannel, trainSpecFrom } from "../../src/cloud/job-channel.js";
import { type AwsWorld, startAwsWorld, USER_ID } from "../cloud/aws/harness.js";
import { fixturePath, IRIS_FEATURES } from "../cloud/helpers/models.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// Inside node_modules, so the bundle resolves its external packages like /app/worker.mjs does in the image.
const OUT_DIR = join(ROOT, "node_modules", ".cache", `sma-image-test-${process.pid}`);
let world: AwsWorld;

/** The esbuild arguments of the Dockerfile's bundling step, with our own output file. */
function dockerfileEsbuildArgs(outfile: string): string[] {
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8").replace(/\\\n\s*/g, " ");
  const line = dockerfile.split("\n").find((l) => l.includes("npx esbuild"));
  if (!line) throw new Error("no esbuild step in the Dockerfile");
  const args = line
    .slice(line.indexOf("npx esbuild") + "npx esbuild".length)
    .trim()
    .split(/\s+/);
  return args.map((a) => (a.startsWith("--outfile=") ? `--outfile=${outfile}` : a));
}

beforeAll(async () => {
  world = await startAwsWorld();
  mkdirSync(OUT_DIR, { recursive: true });
});
afterAll(async () => {
  await world.close();
  rmSync(OUT_DIR, { recursive: true, force: true });
});

describe("worker image bundle", () => {
  it("is built by the Dockerfile's command and runs a training job from SMA_SPEC_URI", async () => {
    const outfile = join(OUT_DIR, "worker.mjs");
    const args = dockerfileEsbuildArgs(outfile);
    expect(args).toContain("src/worker/container.ts");
    expect(args).toContain("--keep-names"); // error classes cross processes by name
    const esbuild = spawnSync(join(ROOT, "node_modules", ".bin", "esbuild"), args, {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(esbuild.status, esbuild.stderr).toBe(0);

    const channel = new JobChannel(world.storage);
    const datasetUri = await world.storage.uploadDataset(USER_ID, fixturePath("iris.csv"), "iris.csv");
    const jobId = `image-job-${Date.now().toString(36)}`;
    const spec = await channel.writeSpecOnce(
      trainSpecFrom(
        {
          jobId,
          computeType: "c5.large",
          datasetUri,
          modelId: `m-${jobId}`,
          userId: USER_ID,
          modelType: "decision_tree",
          taskType: "classification",
          targetColumn: "species",
          featureColumns: IRIS_FEATURES,
          hyperparameters: {},
          deadline: new Date(Date.now() + 5 * 60_000).toISOString(),
        },
        world.storage,
        "aws:c5.large",
      ),
    );
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [outfile], {
        env: {
          ...process.env,
          ...world.env,
          SMA_SPEC_URI: channel.uri(jobId, "spec.json"),
          NODE_ENV: "production",
        },
        stdio: "ignore",
      });
      child.once("exit", resolve);
    });
    expect(code).toBe(0);
    expect(await channel.readResult(spec.jobId)).toMatchObject({
      status: "succeeded",
      outputUri: world.storage.modelUri(USER_ID, spec.modelId),
    });
  });
});
