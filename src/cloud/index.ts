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
import { awsCredentialsFrom, isAwsConfigured } from "./aws/config.js";
import { Ec2OfferSource } from "./aws/offers.js";
import { LambdaManager } from "./aws/prediction.js";
import { cachedCheck, describeFailure } from "./health.js";
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

/** How long "the Lambda function / Serverless endpoint exists" is trusted before it is asked again. */
const AVAILABILITY_TTL_MS = 5 * 60_000;

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
  /** The seed's factory, with every provider built here registered (health, fallback RunPod > AWS > local). */
  factory: CloudProviderFactory;
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
    factory,
    async start() {},
    async stop() {},
  };
  const context = { config, deps, factory, healthy, resolveStorage, built };
  if (isAwsConfigured(config.aws)) addAws(context);
  if (hasRunPodCredentials(config.runpod)) addRunPod(context);
  for (const gap of built.unavailable) deps.logger.warn(gap, "cloud provider not available");
  for (const [name, provider] of Object.entries(built.training))
    factory.registerTrainingProvider(name as ProviderName, () => provider);
  for (const [name, provider] of Object.entries(built.prediction))
    factory.registerPredictionProvider(name as ProviderName, () => provider);

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

/** MODEL_SIGNING_KEY: cloud providers derive job keys from it and re-sign what comes back. */
function signingKeyOf(c: BuildContext): string {
  return required(c.config.modelSigningKey, "MODEL_SIGNING_KEY");
}

function addAws(c: BuildContext): void {
  const aws = c.config.aws;
  const credentials = awsCredentialsFrom(aws);
  const common = {
    resolveStorage: c.resolveStorage,
    logger: c.deps.logger.child({ provider: "aws" }),
  };
  attempt(c, "aws", "training", () => {
    const signingKey = signingKeyOf(c);
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
      settings: {
        region: aws.region,
        amiId: required(aws.ec2AmiId, "EC2_AMI_ID"),
        instanceProfile: required(aws.ec2IamInstanceProfile, "EC2_IAM_INSTANCE_PROFILE"),
        securityGroupIds: aws.ec2SecurityGroup ? [aws.ec2SecurityGroup] : [],
        subnetId: aws.ec2SubnetId,
        keyName: aws.ec2KeyName,
        spotMaxPrice: aws.ec2SpotMaxPrice,
        workerImage: required(aws.workerImage, "WORKER_IMAGE"),
        bucket: required(aws.s3Bucket, "S3_BUCKET"),
        s3Endpoint: aws.s3Endpoint,
        s3ForcePathStyle: aws.s3ForcePathStyle,
        s3ChecksumWhenRequired: aws.checksumWhenRequired,
        kmsKeyId: aws.kmsKeyId,
      },
      homeStorage: c.deps.homeStorage,
      signingKey,
      ...common,
    });
    c.built.offerSources.training.push(offers);
  });
  attempt(c, "aws", "prediction", () => {
    const signingKey = signingKeyOf(c);
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
    const manager = new LambdaManager({
      lambda,
      storage,
      functionName: aws.lambdaFunctionName,
      memoryMb: aws.lambdaMemoryMb,
      timeoutSeconds: aws.lambdaTimeoutSeconds,
      signingKey,
      ...common,
    });
    c.built.prediction.aws = manager;
    c.built.offerSources.prediction.push(
      new LambdaOfferSource({
        functionName: aws.lambdaFunctionName,
        memoryMb: aws.lambdaMemoryMb,
        timeoutSeconds: aws.lambdaTimeoutSeconds,
        healthy: c.healthy("aws"),
        available: cachedCheck(() => manager.isAvailable(), AVAILABILITY_TTL_MS),
      }),
    );
  });
}

function addRunPod(c: BuildContext): void {
  const runpod = c.config.runpod;
  const logger = c.deps.logger.child({ provider: "runpod" });
  attempt(c, "runpod", "training", () => {
    const signingKey = signingKeyOf(c);
    const storage = c.factory.createStorageProvider("runpod");
    const dataCenterId = required(runpod.dataCenterId, "RUNPOD_DATA_CENTER_ID");
    const api = new RunPodPodApi(new RunPodGraphqlClient(runpodApiSettingsFrom(c.config), c.deps.fetch));
    const offers = new RunPodOfferSource({
      api,
      dataCenterId,
      allowSpot: runpod.allowSpot,
      logger,
      healthy: c.healthy("runpod"),
    });
    c.built.training.runpod = new RunPodPodManager({
      api,
      storage,
      offers,
      resolveStorage: c.resolveStorage,
      homeStorage: c.deps.homeStorage,
      signingKey,
      logger,
      settings: {
        workerImage: required(runpod.workerImage, "WORKER_IMAGE"),
        networkVolumeId: required(runpod.networkVolumeId, "RUNPOD_NETWORK_VOLUME_ID"),
        dataCenterId,
        registryAuthId: runpod.registryAuthId,
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
    const signingKey = signingKeyOf(c);
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
    const manager = new RunPodServerlessManager({
      client,
      storage,
      resolveStorage: c.resolveStorage,
      signingKey,
      logger,
    });
    c.built.prediction.runpod = manager;
    const available = cachedCheck(async () => (await manager.health()) !== undefined, AVAILABILITY_TTL_MS);
    c.built.offerSources.prediction.push(
      new RunPodServerlessOfferSource({ endpointId, healthy: c.healthy("runpod"), available }),
    );
  });
}

/**
 * What every training pod gets in its environment, which RunPod shows in plain text to anyone holding the
 * account's API key: nothing secret. The pod mounts the network volume (no storage key), signs with the job's
 * own key (from the job's spec on the volume), and terminates itself with the pod-scoped RUNPOD_API_KEY that
 * RunPod adds, at RUNPOD_API_URL. The bot's own keys never go to a pod.
 */
export function podWorkerEnv(config: Config): Record<string, string> {
  return { RUNPOD_API_URL: config.runpod.apiUrl, LOG_LEVEL: "info" };
}
