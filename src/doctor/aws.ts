/**
 * The doctor's AWS checks, one real call each: credentials and where they come from, the region, the bucket
 * (exists, SSE, lifecycle rules), the AMI (exists, has Docker), the instance profile (a RunInstances dry run,
 * which also proves the bot may launch), and the Lambda function (exists, supported runtime, current code).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  DescribeImagesCommand,
  DescribeRegionsCommand,
  type EC2Client,
  RunInstancesCommand,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import {
  GetFunctionConfigurationCommand,
  type GetFunctionConfigurationCommandOutput,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadBucketCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { baseClientConfig, createEc2Client, createS3Client } from "../cloud/aws/client.js";
import { awsCredentialsFrom, credentialSourceOf, isAwsConfigured } from "../cloud/aws/config.js";
import { SUPPORTED_LAMBDA_RUNTIMES } from "../cloud/aws/prediction.js";
import { lifecycleConfigurationInput } from "../cloud/aws/requests.js";
import { describeFailure } from "../cloud/health.js";
import type { Config } from "../config.js";
import { type CheckResult, fail, ok, skip, warn } from "./report.js";

const TEMPLATE_FIX = (bucket: string) =>
  "aws cloudformation deploy --template-file deploy/aws/template.json --stack-name sma " +
  `--capabilities CAPABILITY_NAMED_IAM --parameter-overrides BucketName=${bucket}`;
const POLICY_FIX =
  "attach deploy/aws/bot-policy.json (or the template's sma-bot policy) to the bot's role or user";
const AMI_FIX =
  "set EC2_AMI_ID to the ECS-optimized Amazon Linux 2023 AMI (it has Docker and the AWS CLI): aws ssm " +
  "get-parameter --name /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id --query Parameter.Value";
const SUPPORTED_RUNTIME = SUPPORTED_LAMBDA_RUNTIMES[0];

export interface AwsDoctorOptions {
  /** The Lambda bundle to compare with the deployed code (npm run build:lambda). */
  lambdaZipPath: string;
  env?: NodeJS.ProcessEnv;
  /** Ready-made clients (tests); the doctor makes its own otherwise. */
  clients?: AwsClients;
}

export interface AwsClients {
  sts: STSClient;
  s3: S3Client;
  ec2: EC2Client;
  lambda: LambdaClient;
}

export async function awsChecks(config: Config, options: AwsDoctorOptions): Promise<CheckResult[]> {
  if (!isAwsConfigured(config.aws)) return [skip("AWS", "account", "not configured (S3_BUCKET is not set)")];
  const clients = options.clients ?? clientsFor(config);
  try {
    const results = [
      await credentials(config, clients, options.env),
      await region(config, clients),
      ...(await bucket(config, clients)),
    ];
    results.push(...(await ec2(config, clients)));
    results.push(...(await lambda(config, clients, options.lambdaZipPath)));
    return results;
  } finally {
    if (!options.clients) for (const client of Object.values(clients)) client.destroy();
  }
}

function clientsFor(config: Config): AwsClients {
  const aws = config.aws;
  // One attempt each: the doctor reports what happens, it does not hide it behind retries.
  const base = { region: aws.region, credentials: awsCredentialsFrom(aws), maxAttempts: 1 };
  return {
    sts: new STSClient(baseClientConfig(base)),
    s3: createS3Client({
      ...base,
      endpoint: aws.s3Endpoint,
      forcePathStyle: aws.s3ForcePathStyle,
      checksumWhenRequired: aws.checksumWhenRequired,
    }),
    ec2: createEc2Client(base),
    lambda: new LambdaClient(baseClientConfig(base)),
  };
}

const nameOf = (error: unknown) => (error as { name?: string }).name ?? "";
const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

async function credentials(config: Config, c: AwsClients, env?: NodeJS.ProcessEnv): Promise<CheckResult> {
  const source = credentialSourceOf(config.aws, env);
  try {
    const identity = await c.sts.send(new GetCallerIdentityCommand({}));
    return ok("AWS", "credentials", `${identity.Arn} (from ${source})`);
  } catch (error) {
    return fail(
      "AWS",
      "credentials",
      `none usable from ${source}: ${describeFailure(error)}`,
      "run the bot with an IAM role (EC2 instance or ECS task role), or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    );
  }
}

async function region(config: Config, c: AwsClients): Promise<CheckResult> {
  const name = config.aws.region;
  try {
    const out = await c.ec2.send(new DescribeRegionsCommand({ RegionNames: [name], AllRegions: true }));
    const found = out?.Regions?.[0];
    if (!found)
      return fail("AWS", "region", `${name} is not a region`, "set AWS_REGION to a region such as us-east-1");
    if (found.OptInStatus === "not-opted-in") {
      return fail(
        "AWS",
        "region",
        `${name} is not enabled for this account`,
        "enable it (Account → AWS Regions), or set AWS_REGION",
      );
    }
    return ok("AWS", "region", name);
  } catch (error) {
    return fail(
      "AWS",
      "region",
      `${name}: ${describeFailure(error)}`,
      "set AWS_REGION to a region such as us-east-1",
    );
  }
}

async function bucket(config: Config, c: AwsClients): Promise<CheckResult[]> {
  const name = config.aws.s3Bucket!;
  try {
    await c.s3.send(new HeadBucketCommand({ Bucket: name }));
  } catch (error) {
    const status = statusOf(error);
    const detail = status === 404 ? `${name} does not exist` : `${name}: ${describeFailure(error)}`;
    return [fail("S3", "bucket", detail, status === 403 ? POLICY_FIX : TEMPLATE_FIX(name))];
  }
  return [ok("S3", "bucket", `${name} exists`), await encryption(config, c), await lifecycle(config, c)];
}

async function encryption(config: Config, c: AwsClients): Promise<CheckResult> {
  const name = config.aws.s3Bucket!;
  const fix = `aws s3api put-bucket-encryption --bucket ${name} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'`;
  try {
    const out = await c.s3.send(new GetBucketEncryptionCommand({ Bucket: name }));
    const rule = out.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    if (!rule?.SSEAlgorithm) return fail("S3", "encryption", "no default encryption", fix);
    if (config.aws.kmsKeyId && rule.SSEAlgorithm !== "aws:kms") {
      return warn(
        "S3",
        "encryption",
        `${rule.SSEAlgorithm}, while KMS_KEY_ID is set`,
        "make the bucket's default SSE-KMS with that key, or unset KMS_KEY_ID",
      );
    }
    return ok(
      "S3",
      "encryption",
      rule.KMSMasterKeyID ? `${rule.SSEAlgorithm} (${rule.KMSMasterKeyID})` : rule.SSEAlgorithm,
    );
  } catch (error) {
    return fail(
      "S3",
      "encryption",
      describeFailure(error),
      nameOf(error) === "AccessDenied" ? POLICY_FIX : fix,
    );
  }
}

async function lifecycle(config: Config, c: AwsClients): Promise<CheckResult> {
  const wanted = lifecycleConfigurationInput(config.aws.s3Bucket!, config.aws);
  const fix =
    `aws s3api put-bucket-lifecycle-configuration --bucket ${wanted.Bucket} --lifecycle-configuration ` +
    `'${JSON.stringify(wanted.LifecycleConfiguration)}'`;
  try {
    const out = await c.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: config.aws.s3Bucket }));
    const present = new Set((out.Rules ?? []).filter((r) => r.Status === "Enabled").map((r) => r.ID));
    const missing = (wanted.LifecycleConfiguration?.Rules ?? [])
      .map((r) => r.ID!)
      .filter((id) => !present.has(id));
    if (missing.length > 0) return fail("S3", "lifecycle rules", `missing: ${missing.join(", ")}`, fix);
    return ok(
      "S3",
      "lifecycle rules",
      `staged data expires (datasets ${config.aws.datasetExpiryDays} d, jobs and results ${config.aws.resultExpiryDays} d)`,
    );
  } catch (error) {
    if (nameOf(error) === "NoSuchLifecycleConfiguration") {
      return fail("S3", "lifecycle rules", "none: staged data would pile up", fix);
    }
    return fail("S3", "lifecycle rules", describeFailure(error), POLICY_FIX);
  }
}

async function ec2(config: Config, c: AwsClients): Promise<CheckResult[]> {
  const aws = config.aws;
  if (!aws.ec2AmiId && !aws.ec2IamInstanceProfile) {
    return [skip("EC2", "training", "not configured (EC2_AMI_ID and EC2_IAM_INSTANCE_PROFILE are not set)")];
  }
  return [await ami(config, c), await instanceProfile(config, c)];
}

async function ami(config: Config, c: AwsClients): Promise<CheckResult> {
  const id = config.aws.ec2AmiId;
  if (!id) return fail("EC2", "AMI", "EC2_AMI_ID is not set", AMI_FIX);
  try {
    const image = (await c.ec2.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.[0];
    if (!image) return fail("EC2", "AMI", `${id} not found in ${config.aws.region}`, AMI_FIX);
    const name = image.Name ?? id;
    if (/ecs|docker/i.test(`${image.Name} ${image.Description}`))
      return ok("EC2", "AMI", `${name} (has Docker)`);
    return warn("EC2", "AMI", `${name}: cannot tell whether it has Docker and the AWS CLI`, AMI_FIX);
  } catch (error) {
    return fail(
      "EC2",
      "AMI",
      `${id}: ${describeFailure(error)}`,
      nameOf(error).includes("Unauthorized") ? POLICY_FIX : AMI_FIX,
    );
  }
}

/** A RunInstances dry run: the AMI, the instance profile and the bot's permission to launch, in one call. */
async function instanceProfile(config: Config, c: AwsClients): Promise<CheckResult> {
  const aws = config.aws;
  const profile = aws.ec2IamInstanceProfile;
  const createFix = `create it with the template (${TEMPLATE_FIX(aws.s3Bucket!)}), or set EC2_IAM_INSTANCE_PROFILE`;
  if (!profile) return fail("EC2", "instance profile", "EC2_IAM_INSTANCE_PROFILE is not set", createFix);
  const input: RunInstancesCommandInput = {
    DryRun: true,
    ImageId: aws.ec2AmiId,
    InstanceType: aws.ec2InstanceType as RunInstancesCommandInput["InstanceType"],
    MinCount: 1,
    MaxCount: 1,
    IamInstanceProfile: profile.startsWith("arn:") ? { Arn: profile } : { Name: profile },
    ...(aws.ec2SecurityGroup ? { SecurityGroupIds: [aws.ec2SecurityGroup] } : {}),
    ...(aws.ec2SubnetId ? { SubnetId: aws.ec2SubnetId } : {}),
  };
  try {
    await c.ec2.send(new RunInstancesCommand(input));
    return ok("EC2", "instance profile", `${profile}; a launch would be allowed`);
  } catch (error) {
    if (nameOf(error) === "DryRunOperation")
      return ok("EC2", "instance profile", `${profile}; a launch would be allowed`);
    const message = describeFailure(error);
    if (/instance ?profile/i.test(message))
      return fail("EC2", "instance profile", `${profile}: ${message}`, createFix);
    if (nameOf(error) === "UnauthorizedOperation") {
      return fail("EC2", "instance profile", `the bot may not launch with ${profile}`, POLICY_FIX);
    }
    return fail("EC2", "instance profile", message, createFix);
  }
}

async function lambda(config: Config, c: AwsClients, zipPath: string): Promise<CheckResult[]> {
  const name = config.aws.lambdaFunctionName;
  const deployFix =
    `${TEMPLATE_FIX(config.aws.s3Bucket!)} (it creates ${name}), then npm run build:lambda && ` +
    `aws lambda update-function-code --function-name ${name} --zip-file fileb://dist/lambda/lambda.zip`;
  let fn: GetFunctionConfigurationCommandOutput;
  try {
    fn = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch (error) {
    const missing = nameOf(error) === "ResourceNotFoundException";
    return [
      fail(
        "Lambda",
        "function",
        missing ? `${name} does not exist` : describeFailure(error),
        missing ? deployFix : POLICY_FIX,
      ),
    ];
  }
  const results = [ok("Lambda", "function", `${name}: ${fn.MemorySize} MB, ${fn.Timeout} s`)];
  if (fn.MemorySize !== config.aws.lambdaMemoryMb || fn.Timeout !== config.aws.lambdaTimeoutSeconds) {
    results[0] = warn(
      "Lambda",
      "function",
      `${name}: ${fn.MemorySize} MB, ${fn.Timeout} s, but the bot prices it as ${config.aws.lambdaMemoryMb} MB, ${config.aws.lambdaTimeoutSeconds} s`,
      `set LAMBDA_MEMORY_MB=${fn.MemorySize} and LAMBDA_TIMEOUT_SECONDS=${fn.Timeout}`,
    );
  }
  results.push(
    SUPPORTED_LAMBDA_RUNTIMES.includes(fn.Runtime ?? "")
      ? ok("Lambda", "runtime", `${fn.Runtime} (supported)`)
      : fail(
          "Lambda",
          "runtime",
          `${fn.Runtime ?? "unknown"} is not among ${SUPPORTED_LAMBDA_RUNTIMES.join(", ")}`,
          `aws lambda update-function-configuration --function-name ${name} --runtime ${SUPPORTED_RUNTIME}`,
        ),
  );
  results.push(await code(name, fn.CodeSha256, zipPath));
  return results;
}

async function code(name: string, deployed: string | undefined, zipPath: string): Promise<CheckResult> {
  const update = `npm run build:lambda && aws lambda update-function-code --function-name ${name} --zip-file fileb://dist/lambda/lambda.zip`;
  const zip = await readFile(zipPath).catch(() => undefined);
  if (!zip)
    return warn(
      "Lambda",
      "code",
      "no local bundle to compare with",
      `npm run build:lambda, then run the doctor again`,
    );
  const local = createHash("sha256").update(zip).digest("base64");
  if (local === deployed) return ok("Lambda", "code", "the deployed code is the current bundle");
  return fail("Lambda", "code", "the deployed code is not the current bundle", update);
}
