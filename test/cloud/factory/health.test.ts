/**
 * checkProviderHealth makes real calls: RunPod `myself` against the fake GraphQL endpoint, S3 HeadBucket
 * against s3rver, a closed port and a server that never answers. EC2 has no local peer, so its
 * DescribeRegions dry run is answered by aws-sdk-client-mock with a strict input match.
 */
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { DescribeRegionsCommand, EC2Client, EC2ServiceException } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CloudProviderFactory } from "../../../src/cloud/provider-factory.js";
import { loadConfig } from "../../../src/config.js";
import { type FakeRunPod, startFakeRunPod } from "../../helpers/fake-runpod-myself.js";
import { S3RVER_CREDENTIALS, type S3rverHandle, startS3rver } from "../../helpers/s3rver.js";

const BUCKET = "sma-health";
const ec2 = new EC2Client({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const ec2Mock = mockClient(ec2);

let fake: FakeRunPod;
let s3rver: S3rverHandle;
let silent: Server;
const silentSockets = new Set<Socket>();

beforeAll(async () => {
  [fake, s3rver] = await Promise.all([startFakeRunPod(), startS3rver([BUCKET])]);
  // Accepts connections and never answers: the case only a hard timeout can end.
  silent = createServer((socket) => silentSockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await Promise.all([fake.close(), s3rver.close()]);
});

afterEach(() => {
  fake.clearFaults();
  fake.requests.splice(0);
  ec2Mock.reset();
});

function dryRunAllowed(): void {
  const error = new EC2ServiceException({
    name: "DryRunOperation",
    $fault: "client",
    $metadata: { httpStatusCode: 412 },
    message: "Request would have succeeded, but DryRun flag is set.",
  });
  ec2Mock.on(DescribeRegionsCommand, { DryRun: true }, true).rejects(error);
}

function factory(env: Record<string, string>, now?: () => number): CloudProviderFactory {
  return new CloudProviderFactory({ config: loadConfig(env), awsClients: { ec2 }, now });
}

const runpodEnv = () => ({ RUNPOD_API_KEY: fake.apiKey, RUNPOD_API_URL: fake.url });
const awsEnv = (endpoint: string, bucket = BUCKET) => ({
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  S3_BUCKET: bucket,
  S3_ENDPOINT: endpoint,
  S3_FORCE_PATH_STYLE: "true",
});

describe("RunPod health: the myself query", () => {
  it("is healthy when myself answers", async () => {
    expect(await factory(runpodEnv()).checkProviderHealth("runpod", 2)).toEqual({
      healthy: true,
      errors: [],
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("is unhealthy on 401, without retrying", async () => {
    const health = await factory({ ...runpodEnv(), RUNPOD_API_KEY: "rpa_REVOKED" }).checkProviderHealth(
      "runpod",
      2,
    );
    expect(health).toEqual({ healthy: false, errors: ["runpod: RunPod rejected the API key (HTTP 401)."] });
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    ["internal-error", /^runpod: RunPod API error: Something went wrong.*\(after \d+ attempts\)$/],
    ["html-502", /^runpod: RunPod API error \(HTTP 502, HTML or empty body\)\. \(after \d+ attempts\)$/],
    ["myself-null", /^runpod: RunPod returned no account \(myself: null\).*\(after \d+ attempts\)$/],
  ] as const)("retries %s until the timeout, then reports it", async (fault, message) => {
    fake.inject(fault);
    const health = await factory(runpodEnv()).checkProviderHealth("runpod", 1);
    expect(health.healthy).toBe(false);
    expect(health.errors).toHaveLength(1);
    expect(health.errors[0]).toMatch(message);
    expect(fake.requests.length).toBeGreaterThan(1);
  });

  it.each(["internal-error", "html-502", "myself-null"] as const)(
    "recovers from one %s blip",
    async (fault) => {
      fake.inject(fault, 1);
      expect(await factory(runpodEnv()).checkProviderHealth("runpod", 5)).toEqual({
        healthy: true,
        errors: [],
      });
      expect(fake.requests).toHaveLength(2);
    },
  );

  it("is unhealthy, not stuck, when the endpoint never answers", async () => {
    fake.inject("hang");
    const health = await factory(runpodEnv()).checkProviderHealth("runpod", 1);
    expect(health.healthy).toBe(false);
    expect(health.errors[0]).toMatch(/did not answer within/);
  });

  it("is unhealthy without an API key", async () => {
    const health = await factory({}).checkProviderHealth("runpod", 1);
    expect(health).toEqual({ healthy: false, errors: ["runpod: RUNPOD_API_KEY is not set."] });
  });
});

describe("AWS health: S3 HeadBucket + EC2 DescribeRegions dry run", () => {
  it("is healthy against s3rver when the dry run would have succeeded", async () => {
    dryRunAllowed();
    expect(await factory(awsEnv(s3rver.endpoint)).checkProviderHealth("aws", 3)).toEqual({
      healthy: true,
      errors: [],
    });
    expect(ec2Mock.commandCalls(DescribeRegionsCommand)).toHaveLength(1);
  });

  it("names a missing bucket", async () => {
    dryRunAllowed();
    const health = await factory(awsEnv(s3rver.endpoint, "no-such-bucket")).checkProviderHealth("aws", 3);
    expect(health).toEqual({ healthy: false, errors: ['s3: bucket "no-such-bucket" not found'] });
  });

  it("is unhealthy when S3 listens on a closed port", async () => {
    dryRunAllowed();
    const health = await factory(awsEnv(`http://127.0.0.1:${await closedPort()}`)).checkProviderHealth(
      "aws",
      2,
    );
    expect(health.healthy).toBe(false);
    expect(health.errors).toHaveLength(1);
    expect(health.errors[0]).toMatch(/^s3: .*ECONNREFUSED/);
  });

  it("is unhealthy within the timeout when S3 never answers", async () => {
    dryRunAllowed();
    const { port } = silent.address() as AddressInfo;
    const health = await factory(awsEnv(`http://127.0.0.1:${port}`)).checkProviderHealth("aws", 1);
    expect(health).toEqual({ healthy: false, errors: ["s3: S3 did not answer within 1 s"] });
  });

  it("reports credentials that may not use EC2", async () => {
    ec2Mock.on(DescribeRegionsCommand, { DryRun: true }, true).rejects(
      new EC2ServiceException({
        name: "UnauthorizedOperation",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
        message: "You are not authorized to perform this operation.",
      }),
    );
    const health = await factory(awsEnv(s3rver.endpoint)).checkProviderHealth("aws", 3);
    expect(health).toEqual({
      healthy: false,
      errors: ["ec2: the credentials may not call ec2:DescribeRegions"],
    });
  });

  it("needs a bucket for the job channel", async () => {
    dryRunAllowed();
    const { S3_BUCKET: _, ...noBucket } = awsEnv(s3rver.endpoint);
    expect(await factory(noBucket).checkProviderHealth("aws", 3)).toEqual({
      healthy: false,
      errors: ["s3: S3_BUCKET is not set"],
    });
  });
});

describe("health cache", () => {
  it("answers from the cache for a while, then probes again", async () => {
    let now = 0;
    const f = factory(runpodEnv(), () => now);
    await f.checkProviderHealth("runpod", 2);
    await Promise.all([f.checkProviderHealth("runpod", 2), f.checkProviderHealth("runpod", 2)]);
    expect(fake.requests).toHaveLength(1);
    now += 31_000;
    await f.checkProviderHealth("runpod", 2);
    expect(fake.requests).toHaveLength(2);
  });

  it("reports local as always healthy", async () => {
    expect(await factory({}).checkProviderHealth("local")).toEqual({ healthy: true, errors: [] });
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
