/**
 * One entry point for the cloud compute layer: `createCloudProviders(config, deps)` builds every provider the
 * environment configures (EC2 and Lambda on AWS, pods and Serverless on RunPod), their offer sources for the
 * location picker, and the reconciler. A provider that is not fully configured is left out with the reason
 * (shown in logs and to the operator), never half-built. Local compute stays with the app.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { CloudConfigurationError } from "../errors.js";
import { baseClientConfig, createEc2Client } from "./aws/client.js";
import { EC2Manager } from "./aws/compute.js";
import { awsCredentialsFrom, hasAwsCredentials } from "./aws/config.js";
import { Ec2OfferSource } from "./aws/offers.js";
import { LambdaManager } from "./aws/prediction.js";
import { describeFailure } from "./health.js";
import {
  type ComputeOffersOptions,
  type ComputePort,
  createComputeOffers,
  type OfferSource,
} from "./offers.js";
import { LambdaOfferSource, RunPodServerlessOfferSource } from "./prediction-offers.js";
import { CloudProviderFactory } from "./provider-factory.js";
import type {
  CloudPredictionProvider,
  CloudStorageProvider,
  CloudTrainingProvider,
  ProviderName,
} from "./provider-interface.js";
import { isReconcilable, type ReconcilableCompute, Reconciler } from "./reconciler.js";
import { RunPodGraphqlClient } from "./runpod/client.js";
import { RunPodPodManager } from "./runpod/compute.js";
import { hasRunPodCredentials, runpodApiSettingsFrom } from "./runpod/config.js";
import { RunPodOfferSource } from "./runpod/offers.js";
import { RunPodPodApi } from "./runpod/pod-api.js";
import { RunPodServerlessManager } from "./runpod/serverless.js";
import { RunPodServerlessClient } from "./runpod/serverless-client.js";
import { owns, type StorageResolver } from "./staging.js";

/** Where EC2 workers read MODEL_SIGNING_KEY from (an SSM SecureString the instance profile may read). */
export const DEFAULT_SIGNING_KEY_PARAMETER = "/statistical-modeling-agent/model-signing-key";

export interface CloudDeps {
  logger: Logger;
  /** The bot's own storage: datasets are staged from it, models and predictions come back to it. */
  homeStorage: CloudStorageProvider;
  /** Job ids of every workflow that may still own compute; the reconciler terminates everything else. */
  activeJobIds: () => Promise<Set<string>>;
  /** The user's limits, so that offers over budget say so. */
  budgetOf?: ComputeOffersOptions["budgetOf"];
  /** Who may use paid compute (everyone when absent); others are offered this machine only. */
  mayPay?: ComputeOffersOptions["mayPay"];
  /** SSM parameter with MODEL_SIGNING_KEY for EC2 workers (default DEFAULT_SIGNING_KEY_PARAMETER). */
  ec2SigningKeyParameter?: string;
  /** Minutes between reconciler rounds (default 5). */
  reconcileIntervalMinutes?: number;
  /** For tests and hosts that share clients. */
  fetch?: typeof fetch;
  awsClients?: { ec2?: EC2Client; lambda?: LambdaClient };
}

export interface CloudProviders {
  training: Partial<Record<ProviderName, CloudTrainingProvider>>;
  prediction: Partial<Record<ProviderName, CloudPredictionProvider>>;
  offerSources: { training: OfferSource[]; prediction: OfferSource[] };
  /** Local plus every cloud offer, ranked (the workflows' ComputePort). */
  compute: ComputePort;
  reconciler?: Reconciler;
  /** Providers left out, and why ("aws training: EC2_AMI_ID is not set"). */
  unavailable: Array<{ provider: ProviderName; kind: "training" | "prediction"; reason: string }>;
  /** Starts the reconciler (one round now, then every few minutes). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createCloudProviders(config: Config, deps: CloudDeps): CloudProviders {
  const factory = new CloudProviderFactory({ config, logger: deps.logger, fetch: deps.fetch });
  const healthy = (provider: ProviderName) => async () =>
    (await factory.checkProviderHealth(provider)).healthy;
  const resolveStorage: StorageResolver = (uri) => {
    if (owns(deps.homeStorage, uri)) return deps.homeStorage;
    return CloudProviderFactory.storageForUri(uri, config, deps.logger);
  };
  const built: CloudProviders = {
    training: {},
    prediction: {},
    offerSources: { training: [], prediction: [] },
    compute: createComputeOffers(),
    unavailable: [],
    async start() {},
    async stop() {},
  };
  const context = { config, deps, factory, healthy, resolveStorage, built };
  if (hasAwsCredentials(config.aws)) addAws(context);
  if (hasRunPodCredentials(config.runpod)) addRunPod(context);
  for (const gap of built.unavailable) deps.logger.warn(gap, "cloud provider not available");

  built.compute = createComputeOffers({
    ...built.offerSources,
    budgetOf: deps.budgetOf,
    mayPay: deps.mayPay,
  });
  const targets = Object.values(built.training).filter(
    (p): p is CloudTrainingProvider & ReconcilableCompute => isReconcilable(p),
  );
  if (targets.length > 0) {
    const reconciler = new Reconciler({
      targets,
      activeJobIds: deps.activeJobIds,
      logger: deps.logger.child({ component: "reconciler" }),
      intervalMs: (deps.reconcileIntervalMinutes ?? 5) * 60_000,
    });
    built.reconciler = reconciler;
    built.start = async () => {
      await reconciler.start();
    };
    built.stop = () => reconciler.stop();
  }
  return built;
}

interface BuildContext {
  config: Config;
  deps: CloudDeps;
  factory: CloudProviderFactory;
  healthy: (provider: ProviderName) => () => Promise<boolean>;
  resolveStorage: StorageResolver;
  built: CloudProviders;
}

/** Runs `build`, or records why the provider is left out. */
function attempt(
  c: BuildContext,
  provider: ProviderName,
  kind: "training" | "prediction",
  build: () => void,
) {
  try {
    build();
  } catch (error) {
    c.built.unavailable.push({ provider, kind, reason: describeFailure(error) });
  }
}

function required(value: string | undefined, variable: string): string {
  if (!value) throw new CloudConfigurationError(`${variable} is not set.`, { variables: [variable] });
  return value;
}

function addAws(c: BuildContext): void {
  const aws = c.config.aws;
  const credentials = awsCredentialsFrom(aws);
  const common = {
    resolveStorage: c.resolveStorage,
    logger: c.deps.logger.child({ provider: "aws" }),
  };
  attempt(c, "aws", "training", () => {
    const storage = c.factory.createStorageProvider("aws");
    const ec2 = c.deps.awsClients?.ec2 ?? createEc2Client({ region: aws.region, credentials });
    const offers = new Ec2OfferSource({
      ec2,
      allowSpot: aws.ec2UseSpot,
      spotMaxPrice: aws.ec2SpotMaxPrice,
      healthy: c.healthy("aws"),
    });
    c.built.training.aws = new EC2Manager({
      ec2,
      storage,
      offers,
      homeStorage: c.deps.homeStorage,
      settings: {
        region: aws.region,
        amiId: required(aws.ec2AmiId, "EC2_AMI_ID"),
        instanceProfile: required(aws.ec2IamInstanceProfile, "EC2_IAM_INSTANCE_PROFILE"),
        securityGroupIds: aws.ec2SecurityGroup ? [aws.ec2SecurityGroup] : [],
        subnetId: aws.ec2SubnetId,
        keyName: aws.ec2KeyName,
        spotMaxPrice: aws.ec2SpotMaxPrice,
        workerImage: aws.workerImage,
        bucket: required(aws.s3Bucket, "S3_BUCKET"),
        s3Endpoint: aws.s3Endpoint,
        kmsKeyId: aws.kmsKeyId,
        signingKeyParameter: c.deps.ec2SigningKeyParameter ?? DEFAULT_SIGNING_KEY_PARAMETER,
      },
      ...common,
    });
    c.built.offerSources.training.push(offers);
  });
  attempt(c, "aws", "prediction", () => {
    const storage = c.factory.createStorageProvider("aws");
    // A synchronous invoke waits for the whole function run: the socket must outlive the function's timeout.
    const lambda =
      c.deps.awsClients?.lambda ??
      new LambdaClient(
        baseClientConfig({
          region: aws.region,
          credentials,
          socketTimeoutMs: (aws.lambdaTimeoutSeconds + 30) * 1000,
        }),
      );
    c.built.prediction.aws = new LambdaManager({
      lambda,
      storage,
      functionName: aws.lambdaFunctionName,
      memoryMb: aws.lambdaMemoryMb,
      timeoutSeconds: aws.lambdaTimeoutSeconds,
      ...common,
    });
    c.built.offerSources.prediction.push(
      new LambdaOfferSource({
        functionName: aws.lambdaFunctionName,
        memoryMb: aws.lambdaMemoryMb,
        timeoutSeconds: aws.lambdaTimeoutSeconds,
        healthy: c.healthy("aws"),
      }),
    );
  });
}

function addRunPod(c: BuildContext): void {
  const runpod = c.config.runpod;
  const logger = c.deps.logger.child({ provider: "runpod" });
  attempt(c, "runpod", "training", () => {
    const storage = c.factory.createStorageProvider("runpod");
    const api = new RunPodPodApi(new RunPodGraphqlClient(runpodApiSettingsFrom(c.config), c.deps.fetch));
    const offers = new RunPodOfferSource({
      api,
      cloudType: runpod.cloudType,
      allowSpot: true,
      logger,
      healthy: c.healthy("runpod"),
    });
    c.built.training.runpod = new RunPodPodManager({
      api,
      storage,
      offers,
      resolveStorage: c.resolveStorage,
      homeStorage: c.deps.homeStorage,
      logger,
      settings: {
        workerImage: runpod.workerImage,
        cloudType: runpod.cloudType,
        dataCenterId: runpod.dataCenterId,
        podReadyTimeoutSeconds: runpod.podReadyTimeoutSeconds,
        containerDiskInGb: 20,
        minVcpuCount: 2,
        minMemoryInGb: 8,
        workerEnv: podWorkerEnv(c.config),
        terminateAfterMarginMinutes: 10,
        createAttempts: 2,
      },
    });
    c.built.offerSources.training.push(offers);
  });
  attempt(c, "runpod", "prediction", () => {
    const endpointId = required(runpod.serverlessEndpointId, "RUNPOD_SERVERLESS_ENDPOINT_ID");
    const storage = c.factory.createStorageProvider("runpod");
    const client = new RunPodServerlessClient(
      {
        baseUrl: runpod.serverlessUrl,
        endpointId,
        apiKey: required(runpod.apiKey, "RUNPOD_API_KEY"),
        timeoutMs: 30_000,
      },
      c.deps.fetch,
    );
    c.built.prediction.runpod = new RunPodServerlessManager({
      client,
      storage,
      resolveStorage: c.resolveStorage,
      logger,
    });
    c.built.offerSources.prediction.push(
      new RunPodServerlessOfferSource({ endpointId, healthy: c.healthy("runpod") }),
    );
  });
}

/**
 * What a training pod needs: the volume's S3 API (the worker reads and writes runpod:// URIs), the signing key,
 * and the GraphQL URL for terminating itself. RunPod adds RUNPOD_POD_ID and a pod-scoped RUNPOD_API_KEY; the
 * bot's own API key is never handed to a pod.
 */
export function podWorkerEnv(config: Config): Record<string, string> {
  const r = config.runpod;
  const env: Record<string, string | undefined> = {
    RUNPOD_NETWORK_VOLUME_ID: r.networkVolumeId,
    RUNPOD_DATA_CENTER_ID: r.dataCenterId,
    RUNPOD_STORAGE_ENDPOINT: r.storageEndpoint,
    RUNPOD_STORAGE_ACCESS_KEY: r.storageAccessKey,
    RUNPOD_STORAGE_SECRET_KEY: r.storageSecretKey,
    RUNPOD_API_URL: r.apiUrl,
    MODEL_SIGNING_KEY: required(config.modelSigningKey, "MODEL_SIGNING_KEY"),
    LOG_LEVEL: "info",
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
