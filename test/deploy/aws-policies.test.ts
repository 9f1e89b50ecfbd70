/**
 * deploy/aws/ against the code: every AWS SDK command anything in src/ sends (read from the imports, so a new
 * command fails this test until it has a permission) is allowed by the bot's policy, in the plain JSON file and
 * in the CloudFormation template; the worker and Lambda roles can do what a worker does in its job's folder;
 * the template's bucket carries the lifecycle rules the code defines, SSE, and a supported Lambda runtime.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SUPPORTED_LAMBDA_RUNTIMES } from "../../src/cloud/aws/prediction.js";
import { lifecycleConfigurationInput } from "../../src/cloud/aws/requests.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEPLOY = join(ROOT, "deploy", "aws");

/**
 * The IAM actions each SDK call needs (AWS's service authorization reference). A command missing here fails
 * the test below: add its actions here and to the policies.
 */
const ACTIONS: Record<string, string[]> = {
  // S3 (HeadObject and HeadBucket are authorised as GetObject and ListBucket)
  "s3:GetObjectCommand": ["s3:GetObject"],
  "s3:HeadObjectCommand": ["s3:GetObject"],
  "s3:PutObjectCommand": ["s3:PutObject"],
  "s3:ListObjectsV2Command": ["s3:ListBucket"],
  "s3:HeadBucketCommand": ["s3:ListBucket"],
  "s3:DeleteObjectCommand": ["s3:DeleteObject"],
  "s3:DeleteObjectsCommand": ["s3:DeleteObject"],
  "s3:PutBucketLifecycleConfigurationCommand": ["s3:PutLifecycleConfiguration"],
  "s3:GetBucketLifecycleConfigurationCommand": ["s3:GetLifecycleConfiguration"],
  "s3:GetBucketEncryptionCommand": ["s3:GetEncryptionConfiguration"],
  // @aws-sdk/lib-storage Upload: multipart parts are PutObject; a failed upload is aborted.
  "lib-storage:Upload": ["s3:PutObject", "s3:AbortMultipartUpload"],
  // @aws-sdk/s3-request-presigner: the link carries the bot's own GetObject permission.
  "s3-request-presigner:getSignedUrl": ["s3:GetObject"],
  // EC2: tags on create need CreateTags; the instance profile needs PassRole.
  "ec2:RunInstancesCommand": ["ec2:RunInstances", "ec2:CreateTags", "iam:PassRole"],
  "ec2:DescribeInstancesCommand": ["ec2:DescribeInstances"],
  "ec2:TerminateInstancesCommand": ["ec2:TerminateInstances"],
  "ec2:DescribeSpotPriceHistoryCommand": ["ec2:DescribeSpotPriceHistory"],
  "ec2:DescribeRegionsCommand": ["ec2:DescribeRegions"],
  "ec2:DescribeImagesCommand": ["ec2:DescribeImages"],
  // Lambda
  "lambda:InvokeCommand": ["lambda:InvokeFunction"],
  "lambda:GetFunctionConfigurationCommand": ["lambda:GetFunctionConfiguration"],
  "lambda:UpdateFunctionCodeCommand": ["lambda:UpdateFunctionCode"],
  // STS GetCallerIdentity needs no permission.
  "sts:GetCallerIdentityCommand": [],
};

/** What a worker does in S3 (train: read the spec and dataset, write progress, log, model; predict: also list). */
const WORKER_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:AbortMultipartUpload"];

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
interface PolicyDocument {
  Statement: Statement[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every SDK command imported by src/, as "service:Name" (types and inputs/outputs are not calls). */
function commandsInCode(): Set<string> {
  const found = new Set<string>();
  const imports = /import\s*(type\s*)?\{([^}]*)\}\s*from\s*"@aws-sdk\/([\w-]+)"/g;
  for (const file of sourceFiles(join(ROOT, "src"))) {
    for (const match of readFileSync(file, "utf8").matchAll(imports)) {
      if (match[1]) continue;
      const module = match[3].replace(/^client-/, "");
      for (const raw of match[2].split(",")) {
        const name = raw.trim();
        if (!name || name.startsWith("type ")) continue;
        if (/Command$/.test(name)) found.add(`${module}:${name}`);
        if (module === "lib-storage" && name === "Upload") found.add("lib-storage:Upload");
        if (module === "s3-request-presigner" && name === "getSignedUrl") found.add(`${module}:${name}`);
      }
    }
  }
  return found;
}

const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(DEPLOY, name), "utf8")) as T;
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const allows = (policy: PolicyDocument, action: string) =>
  policy.Statement.some((s) => s.Effect === "Allow" && actionsOf(s).includes(action));

/** The template's `{"Fn::Sub": "…"}` resolved to its text, so documents compare with the plain files. */
function subsToText(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(subsToText);
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === "Fn::Sub") return entries[0][1];
    return Object.fromEntries(entries.map(([k, v]) => [k, subsToText(v)]));
  }
  return value;
}

/** CloudFormation's Fn::Sub reference to a name: `${name}`. */
const ref = (name: string) => ["$", "{", name, "}"].join("");

/** A plain policy file with its placeholders written as the template writes them. */
function asInTemplate(policy: PolicyDocument): unknown {
  const text = JSON.stringify(policy)
    .replaceAll("YOUR_BUCKET", ref("BucketName"))
    .replaceAll("YOUR_REGION", ref("AWS::Region"))
    .replaceAll("YOUR_ACCOUNT", ref("AWS::AccountId"))
    .replaceAll("ml-agent-prediction", ref("FunctionName"));
  return JSON.parse(text);
}

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is free-form JSON
const template = readJson<any>("template.json");
const resources = template.Resources;
const botPolicy = readJson<PolicyDocument>("bot-policy.json");

describe("the bot's IAM policy covers every AWS call in the code", () => {
  const commands = [...commandsInCode()].sort();

  it("finds the commands the code sends, each with known actions", () => {
    expect(commands.length).toBeGreaterThan(10);
    expect(commands).toContain("ec2:RunInstancesCommand");
    expect(commands.filter((c) => !(c in ACTIONS))).toEqual([]);
  });

  it.each([
    ["deploy/aws/bot-policy.json", botPolicy],
    ["the template's BotPolicy", subsToText(resources.BotPolicy.Properties.PolicyDocument) as PolicyDocument],
  ])("%s allows each of them", (_name, policy) => {
    const missing = commands.flatMap((c) =>
      ACTIONS[c].filter((a) => !allows(policy, a)).map((a) => `${c} → ${a}`),
    );
    expect(missing).toEqual([]);
    // SSE-KMS: S3 calls need the key too (only through S3).
    expect(allows(policy, "kms:GenerateDataKey") && allows(policy, "kms:Decrypt")).toBe(true);
  });

  it("terminates and tags only what it launched, and passes only the worker role", () => {
    const statement = (action: string) => botPolicy.Statement.find((s) => actionsOf(s).includes(action))!;
    expect(statement("ec2:TerminateInstances").Condition).toEqual({
      StringEquals: { "ec2:ResourceTag/app": "statistical-modeling-agent" },
    });
    expect(statement("ec2:CreateTags").Condition).toEqual({
      StringEquals: { "ec2:CreateAction": "RunInstances" },
    });
    expect(statement("iam:PassRole").Resource).toBe("arn:aws:iam::YOUR_ACCOUNT:role/sma-worker");
  });
});

describe("the worker and Lambda roles", () => {
  it.each([
    ["worker-policy.json", "WorkerRole"],
    ["lambda-policy.json", "PredictionRole"],
  ])("%s is what the template's %s gets, limited to jobs/", (file, role) => {
    const plain = readJson<PolicyDocument>(file);
    const inTemplate = resources[role].Properties.Policies[0].PolicyDocument;
    expect(subsToText(inTemplate)).toEqual(asInTemplate(plain));
    for (const action of WORKER_ACTIONS) expect(allows(plain, action), `${file} ${action}`).toBe(true);
    const objectResources = plain.Statement.filter((s) => actionsOf(s).includes("s3:PutObject")).map(
      (s) => s.Resource,
    );
    expect(objectResources).toEqual(["arn:aws:s3:::YOUR_BUCKET/jobs/*"]);
    expect(JSON.stringify(plain)).not.toMatch(/ssm:|s3:DeleteObject|"\*"\s*:\s*"\*"/);
  });

  it("the bot's plain policy file is what the template's BotPolicy gets", () => {
    expect(subsToText(resources.BotPolicy.Properties.PolicyDocument)).toEqual(asInTemplate(botPolicy));
    expect(resources.WorkerInstanceProfile.Properties.InstanceProfileName).toBe("sma-worker");
    expect(resources.WorkerRole.Properties.RoleName).toBe("sma-worker");
  });
});

describe("the CloudFormation template", () => {
  it("makes the bucket with SSE, no public access, and the lifecycle rules the code defines", () => {
    const bucket = resources.Bucket.Properties;
    const sse = bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
    expect(sse["Fn::If"][1]).toMatchObject({ SSEAlgorithm: "aws:kms" });
    expect(sse["Fn::If"][2]).toEqual({ SSEAlgorithm: "AES256" });
    expect(Object.values(bucket.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
    const expected = lifecycleConfigurationInput("b", { datasetExpiryDays: 90, resultExpiryDays: 30 })
      .LifecycleConfiguration!.Rules!;
    const rules = bucket.LifecycleConfiguration.Rules;
    expect(rules.map((r: { Id: string; Prefix: string }) => [r.Id, r.Prefix])).toEqual(
      expected.map((r) => [r.ID, r.Filter?.Prefix]),
    );
    expect(template.Parameters.DatasetExpiryDays.Default).toBe(90);
    expect(template.Parameters.ResultExpiryDays.Default).toBe(30);
  });

  it("makes the prediction function on a supported runtime, with no signing key and no retries", () => {
    const fn = resources.PredictionFunction.Properties;
    expect(SUPPORTED_LAMBDA_RUNTIMES).toContain(fn.Runtime);
    expect(fn.Handler).toBe("index.handler");
    expect(Object.keys(fn.Environment.Variables)).not.toContain("MODEL_SIGNING_KEY");
    expect(resources.PredictionRetries.Properties.MaximumRetryAttempts).toBe(0);
  });
});
