/**
 * CloudProviderFactory: detection from environment combinations, storage construction, the compute
 * registry, and the fallback order RunPod → AWS → local with real health probes (fake RunPod, s3rver,
 * a closed port; EC2 answered by aws-sdk-client-mock).
 */
import { type AddressInfo, createServer } from "node:net";
import { resolve } from "node:path";
import { DescribeRegionsCommand, EC2Client, EC2ServiceException } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { S3Manager } from "../../../src/cloud/aws/storage.js";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import { CloudProviderFactory, type ProviderContext } from "../../../src/cloud/provider-factory.js";
import type { CloudTrainingProvider, ProviderName } from "../../../src/cloud/provider-interface.js";
import { RunPodStorageManager } from "../../../src/cloud/runpod/storage.js";
import { loadConfig } from "../../../src/config.js";
import { CloudConfigurationError, MissingCredentialError } from "../../../src/errors.js";
import { type FakeRunPod, startFakeRunPod } from "../../helpers/fake-runpod-myself.js";
import { S3RVER_CREDENTIALS, type S3rverHandle, startS3rver } from "../../helpers/s3rver.js";

const BUCKET = "sma-factory";
const ec2 = new EC2Client({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const ec2Mock = mockClient(ec2);

let fake: FakeRunPod;
let s3rver: S3rverHandle;

beforeAll(async () => {
  [fake, s3rver] = await Promise.all([startFakeRunPod(), startS3rver([BUCKET])]);
});
afterAll(async () => {
  await Promise.all([fake.close(), s3rver.close()]);
});
beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(DescribeRegionsCommand, { DryRun: true }, true).rejects(
    new EC2ServiceException({
      name: "DryRunOperation",
      $fault: "client",
      $metadata: { httpStatusCode: 412 },
    }),
  );
});

describe("detectAvailableProviders", () => {
  it.each([
    [{}, ["local"]],
    [{ RUNPOD_API_KEY: "rpa_x" }, ["runpod", "local"]],
    // AWS is asked for by its bucket; credentials come from the SDK's default chain (keys, profile, role …).
    [{ S3_BUCKET: "sma-prod" }, ["aws", "local"]],
    [{ AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s" }, ["local"]],
    [{ AWS_PROFILE: "analytics", S3_BUCKET: "sma-prod" }, ["aws", "local"]],
    [{ RUNPOD_API_KEY: "rpa_x", S3_BUCKET: "sma-prod" }, ["runpod", "aws", "local"]],
    [{ RUNPOD_API_KEY: "   ", S3_BUCKET: "" }, ["local"]],
  ] as const)("%j → %j", (env, expected) => {
    expect(new CloudProviderFactory({ config: loadConfig(env) }).detectAvailableProviders()).toEqual(
      expected,
    );
  });
});

describe("createStorageProvider", () => {
  it("builds each provider from the environment", () => {
    const config = loadConfig({
      DATA_DIR: "tmp-data",
      S3_BUCKET: "sma-prod",
      RUNPOD_NETWORK_VOLUME_ID: "v3zskt9gvb",
      RUNPOD_DATA_CENTER_ID: "EU-RO-1",
      RUNPOD_STORAGE_ACCESS_KEY: "user_abc",
      RUNPOD_STORAGE_SECRET_KEY: "rps_abc",
    });
    const local = CloudProviderFactory.createStorageProvider("local", config);
    expect(local).toBeInstanceOf(LocalStorageManager);
    expect((local as LocalStorageManager).rootDir).toBe(resolve("tmp-data"));
    const aws = CloudProviderFactory.createStorageProvider("aws", config);
    expect(aws).toBeInstanceOf(S3Manager);
    expect(aws.uriFor("jobs/job-abcdef/spec.json")).toBe("s3://sma-prod/jobs/job-abcdef/spec.json");
    const runpod = CloudProviderFactory.createStorageProvider("runpod", config);
    expect(runpod).toBeInstanceOf(RunPodStorageManager);
    expect(runpod.uriFor("datasets/user_1/d.csv")).toBe("runpod://v3zskt9gvb/datasets/user_1/d.csv");
  });

  it("refuses providers that are not configured, naming what is missing", () => {
    expect(() => CloudProviderFactory.createStorageProvider("aws", loadConfig({}))).toThrow(/S3_BUCKET/);
    expect(() => CloudProviderFactory.createStorageProvider("runpod", loadConfig({}))).toThrow(
      CloudConfigurationError,
    );
    const noKeys = loadConfig({ RUNPOD_NETWORK_VOLUME_ID: "v3zskt9gvb", RUNPOD_DATA_CENTER_ID: "EU-RO-1" });
    expect(() => CloudProviderFactory.createStorageProvider("runpod", noKeys)).toThrow(
      MissingCredentialError,
    );
  });

  it("finds the storage that owns a URI", () => {
    const config = loadConfig({ S3_BUCKET: "sma-prod", DATA_DIR: "tmp-data" });
    expect(
      CloudProviderFactory.storageForUri("s3://sma-prod/jobs/job-abcdef/spec.json", config).provider,
    ).toBe("aws");
    expect(CloudProviderFactory.storageForUri("file:///x/y", config).provider).toBe("local");
    expect(() => CloudProviderFactory.storageForUri("https://example.com/x", config)).toThrow(
      CloudConfigurationError,
    );
  });
});

describe("compute registry", () => {
  const stub = (provider: ProviderName, seen?: ProviderContext[]) => (context: ProviderContext) => {
    seen?.push(context);
    return { provider } as unknown as CloudTrainingProvider;
  };

  it("builds registered providers with their own storage, and refuses unregistered ones", () => {
    const seen: ProviderContext[] = [];
    const factory = new CloudProviderFactory({
      config: loadConfig({}),
      training: { local: stub("local", seen) },
    });
    expect(factory.createTrainingProvider("local").provider).toBe("local");
    expect(seen[0].provider).toBe("local");
    expect(seen[0].storage).toBe(factory.createStorageProvider("local"));
    expect(() => factory.createTrainingProvider("aws")).toThrow(CloudConfigurationError);
    expect(() => factory.createPredictionProvider("local")).toThrow(/No prediction provider is registered/);
    factory.registerPredictionProvider("local", () => ({ provider: "local" }) as never);
    expect(factory.createPredictionProvider("local").provider).toBe("local");
  });
});

describe("fallback order", () => {
  let closedPort: number;
  beforeAll(async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    closedPort = (server.address() as AddressInfo).port;
    await new Promise((done) => server.close(done));
  });

  const env = (runpodKey: string, s3Endpoint: string) => ({
    RUNPOD_API_KEY: runpodKey,
    RUNPOD_API_URL: fake.url,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: s3Endpoint,
    S3_FORCE_PATH_STYLE: "true",
    DATA_DIR: "tmp-data",
  });

  function factoryWithLogs(vars: Record<string, string>) {
    const logs: Array<Record<string, unknown>> = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const stub = (provider: ProviderName) => () => ({ provider }) as unknown as CloudTrainingProvider;
    const factory = new CloudProviderFactory({
      config: loadConfig(vars),
      logger,
      awsClients: { ec2 },
      training: { runpod: stub("runpod"), aws: stub("aws"), local: stub("local") },
    });
    return { factory, logs };
  }

  it("picks RunPod when it is healthy", async () => {
    const { factory } = factoryWithLogs(env(fake.apiKey, s3rver.endpoint));
    expect(await factory.getBestProvider(2)).toBe("runpod");
    const result = await factory.createProviderWithFallback("training", 2);
    expect(result.provider).toBe("runpod");
    expect(result.attempts).toEqual([]);
  });

  it("RunPod unhealthy → AWS, logging the skip", async () => {
    const { factory, logs } = factoryWithLogs(env("rpa_REVOKED", s3rver.endpoint));
    const result = await factory.createProviderWithFallback("storage", 2);
    expect(result.provider).toBe("aws");
    expect(result.instance).toBeInstanceOf(S3Manager);
    expect(result.attempts).toEqual([
      { provider: "runpod", reason: "runpod: RunPod rejected the API key (HTTP 401)." },
    ]);
    expect(logs.filter((l) => l.msg === "provider skipped, trying the next one")).toMatchObject([
      { level: 40, provider: "runpod", kind: "storage" },
    ]);
    expect(await factory.getBestProvider(2)).toBe("aws");
  });

  it("RunPod and AWS unhealthy → local", async () => {
    const { factory, logs } = factoryWithLogs(env("rpa_REVOKED", `http://127.0.0.1:${closedPort}`));
    const result = await factory.createProviderWithFallback("training", 2);
    expect(result.provider).toBe("local");
    expect(result.attempts.map((a) => a.provider)).toEqual(["runpod", "aws"]);
    expect(result.attempts[1].reason).toMatch(/^s3: .*ECONNREFUSED/);
    expect(logs.filter((l) => l.level === 40).map((l) => l.provider)).toEqual(["runpod", "aws"]);
    expect(await factory.getBestProvider(2)).toBe("local");
  });

  it("moves on when a healthy provider cannot be built", async () => {
    const { factory } = factoryWithLogs(env(fake.apiKey, s3rver.endpoint));
    factory.registerTrainingProvider("runpod", () => {
      throw new CloudConfigurationError("RUNPOD_NETWORK_VOLUME_ID is not set.");
    });
    const result = await factory.createProviderWithFallback("training", 2);
    expect(result.provider).toBe("aws");
    expect(result.attempts).toEqual([{ provider: "runpod", reason: "RUNPOD_NETWORK_VOLUME_ID is not set." }]);
  });

  it("fails with every attempt when even local is missing", async () => {
    const factory = new CloudProviderFactory({
      config: loadConfig(env("rpa_REVOKED", s3rver.endpoint)),
      awsClients: { ec2 },
    });
    ec2Mock.reset();
    ec2Mock.on(DescribeRegionsCommand).rejects(
      new EC2ServiceException({
        name: "AuthFailure",
        $fault: "client",
        $metadata: { httpStatusCode: 401 },
      }),
    );
    const error = await factory.createProviderWithFallback("prediction", 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudConfigurationError);
    expect((error as CloudConfigurationError).details.attempts).toHaveLength(3);
  });
});
