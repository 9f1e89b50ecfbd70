/**
 * `npm run doctor` against aws-sdk-client-mock (strict inputs), the fake RunPod (account, volume, data
 * centers, Serverless) and a fake OCI registry: every check passes on a good deployment and fails, with a fix,
 * on a broken one. The CLI itself prints the table and exits 1 on a failure.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeImagesCommand,
  DescribeRegionsCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  LambdaServiceException,
} from "@aws-sdk/client-lambda";
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadBucketCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycleConfigurationInput } from "../../src/cloud/aws/requests.js";
import { loadConfig } from "../../src/config.js";
import { type CheckResult, formatReport, runDoctor } from "../../src/doctor/index.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../fakes/runpod/server.js";

const BUCKET = "sma-doctor-bucket";
const KEY = "doctor-signing-key-0123456789abcdef0123";
let fake: FakeRunPodServer;
let registry: Server;
let registryHost: string;
let dir: string;
let zipPath: string;

/** A registry with an anonymous token: sma/worker:1.0.0 is public, private/worker needs credentials. */
async function startRegistry(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://registry");
    if (url.pathname === "/token") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: "anonymous" }));
      return;
    }
    if (req.headers.authorization !== "Bearer anonymous" || url.pathname.startsWith("/v2/private/")) {
      const realm = `http://${req.headers.host}/token`;
      res.writeHead(401, { "www-authenticate": `Bearer realm="${realm}",service="test-registry"` }).end();
      return;
    }
    res.writeHead(url.pathname === "/v2/sma/worker/manifests/1.0.0" ? 200 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

beforeAll(async () => {
  fake = await startFakeRunPodServer();
  fake.pods.runWorkers = false;
  registry = await startRegistry();
  registryHost = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "sma-doctor-"));
  zipPath = join(dir, "lambda.zip");
  await writeFile(zipPath, "the current bundle");
});
afterAll(async () => {
  await fake.close();
  registry.close();
  await rm(dir, { recursive: true, force: true });
});

function env(overrides: Record<string, string> = {}) {
  return {
    MODEL_SIGNING_KEY: KEY,
    S3_BUCKET: BUCKET,
    AWS_REGION: "eu-west-1",
    EC2_AMI_ID: "ami-0ecs",
    EC2_IAM_INSTANCE_PROFILE: "sma-worker",
    WORKER_IMAGE: `${registryHost}/sma/worker:1.0.0`,
    RUNPOD_API_KEY: fake.apiKey,
    RUNPOD_API_URL: fake.graphqlUrl,
    RUNPOD_SERVERLESS_URL: fake.serverlessUrl,
    RUNPOD_SERVERLESS_ENDPOINT_ID: fake.endpointId,
    RUNPOD_NETWORK_VOLUME_ID: "v3zskt9gvb",
    RUNPOD_DATA_CENTER_ID: "EU-RO-1",
    RUNPOD_STORAGE_ENDPOINT: fake.volumes.endpoint,
    RUNPOD_STORAGE_ACCESS_KEY: fake.volumes.credentials.accessKeyId,
    RUNPOD_STORAGE_SECRET_KEY: fake.volumes.credentials.secretAccessKey,
    ...overrides,
  };
}

/** AWS clients whose answers are mocked; strict inputs, so a wrong request fails the check. */
function awsClients(healthy: boolean) {
  const clients = {
    sts: new STSClient({ region: "eu-west-1" }),
    s3: new S3Client({ region: "eu-west-1" }),
    ec2: new EC2Client({ region: "eu-west-1" }),
    lambda: new LambdaClient({ region: "eu-west-1" }),
  };
  const [sts, s3, ec2, lambda] = [clients.sts, clients.s3, clients.ec2, clients.lambda].map((c) =>
    mockClient(c as never),
  );
  const meta = (status: number) => ({ $metadata: { httpStatusCode: status } });
  const s3Error = (name: string, status: number) =>
    new S3ServiceException({ name, message: name, $fault: "client", ...meta(status) });
  const ec2Error = (name: string, message: string) =>
    new EC2ServiceException({ name, message, $fault: "client", ...meta(400) });
  if (healthy) {
    sts
      .on(GetCallerIdentityCommand, {}, true)
      .resolves({ Arn: "arn:aws:sts::123456789012:assumed-role/sma-bot/i-0abc" });
    ec2.on(DescribeRegionsCommand, { RegionNames: ["eu-west-1"], AllRegions: true }, true).resolves({
      Regions: [{ RegionName: "eu-west-1", OptInStatus: "opt-in-not-required" }],
    });
    s3.on(HeadBucketCommand, { Bucket: BUCKET }, true).resolves({});
    s3.on(GetBucketEncryptionCommand, { Bucket: BUCKET }, true).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    });
    s3.on(GetBucketLifecycleConfigurationCommand, { Bucket: BUCKET }, true).resolves({
      Rules: lifecycleConfigurationInput(BUCKET, { datasetExpiryDays: 90, resultExpiryDays: 30 })
        .LifecycleConfiguration!.Rules,
    });
    ec2.on(DescribeImagesCommand, { ImageIds: ["ami-0ecs"] }, true).resolves({
      Images: [{ ImageId: "ami-0ecs", Name: "al2023-ami-ecs-hvm-2023.0.20261120-kernel-6.1-x86_64" }],
    });
    ec2
      .on(RunInstancesCommand)
      .rejects(ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set."));
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: "ml-agent-prediction" }, true).resolves({
      Runtime: "nodejs22.x",
      MemorySize: 3008,
      Timeout: 900,
      CodeSha256: createHash("sha256").update("the current bundle").digest("base64"),
    });
  } else {
    sts.on(GetCallerIdentityCommand).rejects(
      new STSServiceException({
        name: "InvalidClientTokenId",
        message: "The security token is invalid.",
        $fault: "client",
        ...meta(403),
      }),
    );
    ec2
      .on(DescribeRegionsCommand)
      .resolves({ Regions: [{ RegionName: "eu-west-1", OptInStatus: "not-opted-in" }] });
    s3.on(HeadBucketCommand).rejects(s3Error("NotFound", 404));
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    ec2
      .on(RunInstancesCommand)
      .rejects(
        ec2Error(
          "InvalidParameterValue",
          "Value (sma-worker) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
        ),
      );
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolves({ Runtime: "nodejs20.x", MemorySize: 3008, Timeout: 900, CodeSha256: "old" });
  }
  return { clients, s3 };
}

const byName = (results: CheckResult[]) => new Map(results.map((r) => [`${r.group}: ${r.name}`, r]));

const CHECKS = [
  "Bot: MODEL_SIGNING_KEY",
  "AWS: credentials",
  "AWS: region",
  "S3: bucket",
  "EC2: AMI",
  "EC2: instance profile",
  "Lambda: runtime",
  "Lambda: code",
  "RunPod: API key",
  "RunPod: Serverless endpoint",
];

describe("npm run doctor", () => {
  it("passes every check of a good deployment, naming what it found", async () => {
    const { clients } = awsClients(true);
    const results = await runDoctor(loadConfig(env()), {
      awsClients: clients,
      lambdaZipPath: zipPath,
      env: {},
    });
    const checks = byName(results);
    const notOk = results.filter((r) => r.status !== "ok").map((r) => `${r.group}: ${r.name}: ${r.detail}`);
    expect(notOk).toEqual([]);
    expect(checks.get("AWS: credentials")?.detail).toBe(
      "arn:aws:sts::123456789012:assumed-role/sma-bot/i-0abc (from default chain (shared config, SSO, or the instance role))",
    );
    expect(checks.get("S3: lifecycle rules")?.status).toBe("ok");
    expect(checks.get("S3: encryption")?.detail).toBe("AES256");
    expect(checks.get("EC2: AMI")?.detail).toMatch(/has Docker/);
    expect(checks.get("RunPod: network volume")?.detail).toBe("sma-data, 50 GB, in EU-RO-1");
    expect(checks.get("RunPod: data center and cloud")?.detail).toMatch(/EU-RO-1 on SECURE cloud/);
    expect(checks.get("RunPod: GPU availability")?.detail).toMatch(/in stock in EU-RO-1/);
    expect(checks.get("RunPod: volume S3 API")?.status).toBe("ok");
    expect(checks.get("Worker image: " + env().WORKER_IMAGE)?.detail).toBe("exists, and anyone can pull it");
    for (const name of CHECKS) expect(checks.get(name)?.status, name).toBe("ok");
  });

  it("fails each check of a broken deployment, each with its fix", async () => {
    const { clients, s3 } = awsClients(false);
    const all = fake.catalog.map((g) => [g, g.dataCenterStock] as const);
    for (const [gpu] of all) gpu.dataCenterStock = "None";
    try {
      const broken = env({
        MODEL_SIGNING_KEY: "",
        RUNPOD_NETWORK_VOLUME_ID: "v3zskt9gvb",
        RUNPOD_DATA_CENTER_ID: "US-KS-2",
        RUNPOD_SERVERLESS_ENDPOINT_ID: "nosuchendpoint",
        RUNPOD_STORAGE_ACCESS_KEY: "user_wrongkey",
        WORKER_IMAGE: `${registryHost}/sma/worker:missing`,
      });
      const results = await runDoctor(loadConfig(broken), {
        awsClients: clients,
        lambdaZipPath: zipPath,
        env: {},
      });
      const checks = byName(results);
      const expectFail = (name: string, detail: RegExp, fix: RegExp) => {
        const check = checks.get(name);
        expect(check?.status, name).toBe("fail");
        expect(check?.detail, name).toMatch(detail);
        expect(check?.fix, name).toMatch(fix);
      };
      expectFail("Bot: MODEL_SIGNING_KEY", /not set/, /openssl rand -hex 32/);
      expectFail("AWS: credentials", /security token is invalid/, /IAM role|AWS_PROFILE/);
      expectFail("AWS: region", /not enabled/, /AWS_REGION/);
      expectFail(
        "S3: bucket",
        /does not exist/,
        /cloudformation deploy --template-file deploy\/aws\/template.json/,
      );
      expectFail("EC2: AMI", /not found in eu-west-1/, /ecs\/optimized-ami/);
      expectFail(
        "EC2: instance profile",
        /Invalid IAM Instance Profile/,
        /template|EC2_IAM_INSTANCE_PROFILE/,
      );
      expectFail("Lambda: runtime", /nodejs20.x is not among/, /--runtime nodejs22.x/);
      expectFail("Lambda: code", /not the current bundle/, /update-function-code/);
      expectFail("RunPod: data center and cloud", /volume is in EU-RO-1/, /RUNPOD_DATA_CENTER_ID=EU-RO-1/);
      expectFail("RunPod: GPU availability", /no GPU in stock in EU-RO-1/, /try later/);
      expectFail("RunPod: volume S3 API", /rejected|denied|InvalidAccessKeyId|403/i, /S3 API Keys/);
      expectFail("RunPod: Serverless endpoint", /does not exist/, /queue endpoint/);
      expectFail(`Worker image: ${broken.WORKER_IMAGE}`, /no such tag/, /docker push/);
      // The bucket's own checks are not run once the bucket is missing.
      expect(s3.commandCalls(GetBucketLifecycleConfigurationCommand)).toHaveLength(0);
      expect(formatReport(results)).toMatch(/✗ S3: bucket .*\n {4}fix: aws cloudformation deploy/);
    } finally {
      for (const [gpu, stock] of all) gpu.dataCenterStock = stock;
    }
  });

  it("fails the bucket's SSE and lifecycle checks, and the AWS credentials, and RunPod's key and volume, on their own", async () => {
    const { clients, s3 } = awsClients(true);
    s3.on(GetBucketEncryptionCommand).rejects(
      new S3ServiceException({
        name: "ServerSideEncryptionConfigurationNotFoundError",
        message: "The server side encryption configuration was not found",
        $fault: "client",
        $metadata: { httpStatusCode: 404 },
      }),
    );
    s3.on(GetBucketLifecycleConfigurationCommand).rejects(
      new S3ServiceException({
        name: "NoSuchLifecycleConfiguration",
        message: "none",
        $fault: "client",
        $metadata: {},
      }),
    );
    const results = await runDoctor(
      loadConfig(env({ RUNPOD_API_KEY: "rpa_wrong", LAMBDA_FUNCTION_NAME: "ml-agent-prediction" })),
      { awsClients: clients, lambdaZipPath: zipPath, env: {} },
    );
    const checks = byName(results);
    expect(checks.get("S3: encryption")).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/put-bucket-encryption/),
    });
    expect(checks.get("S3: lifecycle rules")).toMatchObject({
      status: "fail",
      detail: "none: staged data would pile up",
      fix: expect.stringMatching(/put-bucket-lifecycle-configuration .*sma-jobs-expiry/),
    });
    expect(checks.get("RunPod: API key")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/HTTP 401/),
    });
  });

  it("says when the Lambda function or the volume is missing, and when a private image cannot be pulled", async () => {
    const { clients } = awsClients(true);
    mockClient(clients.lambda as never)
      .on(GetFunctionConfigurationCommand)
      .rejects(
        new LambdaServiceException({
          name: "ResourceNotFoundException",
          message: "Function not found",
          $fault: "client",
          $metadata: {},
        }),
      );
    const privateImage = `${registryHost}/private/worker:1.0.0`;
    const results = await runDoctor(
      loadConfig(env({ RUNPOD_NETWORK_VOLUME_ID: "nosuchvolume", WORKER_IMAGE: privateImage })),
      { awsClients: clients, lambdaZipPath: zipPath, env: {} },
    );
    const checks = byName(results);
    expect(checks.get("Lambda: function")).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/build:lambda/),
    });
    expect(checks.get("RunPod: network volume")).toMatchObject({
      status: "fail",
      detail: "nosuchvolume is not in this account",
    });
    expect(checks.get(`Worker image: ${privateImage}`)).toMatchObject({ status: "fail" });
    const withAuth = await runDoctor(
      loadConfig(
        env({
          EC2_AMI_ID: "",
          EC2_IAM_INSTANCE_PROFILE: "",
          WORKER_IMAGE: privateImage,
          RUNPOD_REGISTRY_AUTH_ID: "cred-1",
        }),
      ),
      { awsClients: awsClients(true).clients, lambdaZipPath: zipPath, env: {} },
    );
    expect(byName(withAuth).get(`Worker image: ${privateImage}`)).toMatchObject({
      status: "ok",
      detail: expect.stringMatching(/RUNPOD_REGISTRY_AUTH_ID/),
    });
  });

  it("as `npm run doctor`: prints the table and exits 1 when something fails", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/doctor/main.ts"], {
      env: { PATH: process.env.PATH ?? "", MODEL_SIGNING_KEY: "", WORKER_IMAGE: "" },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /✗ Bot: MODEL_SIGNING_KEY +not set: models cannot be signed\n {4}fix: set MODEL_SIGNING_KEY/,
    );
    expect(run.stdout).toMatch(/- AWS: account +not configured/);
  });
});
