/**
 * CloudProviderFactory (seed §6): builds storage providers, builds training and prediction providers from
 * a registry that their authors fill in, detects which providers the environment configures, probes their
 * health, and falls back RunPod → AWS → local, recording every attempt and its reason (STYLE.md R15).
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import { pino } from "pino";
import type { Config } from "../config.js";
import { CloudConfigurationError } from "../errors.js";
import { createEc2Client, createS3Client } from "./aws/client.js";
import { awsCredentialsFrom, isAwsConfigured, s3SettingsFrom } from "./aws/config.js";
import { S3Manager } from "./aws/storage.js";
import {
  checkAwsHealth,
  checkRunPodHealth,
  describeFailure,
  HEALTHY,
  HealthCache,
  type HealthReport,
} from "./health.js";
import { LocalStorageManager } from "./local/storage.js";
import type {
  CloudPredictionProvider,
  CloudStorageProvider,
  CloudTrainingProvider,
  ProviderName,
} from "./provider-interface.js";
import { RunPodGraphqlClient } from "./runpod/client.js";
import { hasRunPodCredentials, runpodApiSettingsFrom } from "./runpod/config.js";
import { RunPodStorageManager } from "./runpod/storage.js";
import { schemeOf } from "./storage-layout.js";

/** The seed's order of preference among healthy providers. */
export const PROVIDER_PRIORITY: readonly ProviderName[] = ["runpod", "aws", "local"];
export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 5;
export const DEFAULT_HEALTH_TTL_MS = 30_000;

export type ProviderKind = "storage" | "training" | "prediction";

/** What a compute provider's constructor receives. */
export interface ProviderContext {
  provider: ProviderName;
  config: Config;
  logger: Logger;
  /** The same provider's storage (job channel, artifacts); built on first access, throws if not configured. */
  readonly storage: CloudStorageProvider;
}
export type TrainingProviderCreator = (context: ProviderContext) => CloudTrainingProvider;
export type PredictionProviderCreator = (context: ProviderContext) => CloudPredictionProvider;

type ProviderOf<K extends ProviderKind> = K extends "storage"
  ? CloudStorageProvider
  : K extends "training"
    ? CloudTrainingProvider
    : CloudPredictionProvider;

export interface FallbackAttempt {
  provider: ProviderName;
  reason: string;
}

/** The provider that was created, and why the ones before it were skipped. */
export interface FallbackResult<T> {
  provider: ProviderName;
  instance: T;
  attempts: FallbackAttempt[];
}

export type HealthProbe = (timeoutSeconds: number) => Promise<HealthReport>;

export interface CloudProviderFactoryOptions {
  config: Config;
  logger?: Logger;
  healthTtlMs?: number;
  now?: () => number;
  /** Ready-made AWS clients (tests, or a host that shares its own). */
  awsClients?: { s3?: S3Client; ec2?: EC2Client };
  /** For the RunPod GraphQL client. */
  fetch?: typeof fetch;
  /** Replaces a provider's probe. */
  healthProbes?: Partial<Record<ProviderName, HealthProbe>>;
  training?: Partial<Record<ProviderName, TrainingProviderCreator>>;
  prediction?: Partial<Record<ProviderName, PredictionProviderCreator>>;
}

export class CloudProviderFactory {
  private readonly config: Config;
  private readonly logger: Logger;
  private readonly health: HealthCache;
  private readonly training = new Map<ProviderName, TrainingProviderCreator>();
  private readonly prediction = new Map<ProviderName, PredictionProviderCreator>();
  private readonly storages = new Map<ProviderName, CloudStorageProvider>();

  constructor(private readonly options: CloudProviderFactoryOptions) {
    this.config = options.config;
    this.logger = options.logger ?? pino({ level: "silent" });
    this.health = new HealthCache(options.healthTtlMs ?? DEFAULT_HEALTH_TTL_MS, options.now);
    for (const [name, creator] of Object.entries(options.training ?? {})) {
      this.registerTrainingProvider(name as ProviderName, creator);
    }
    for (const [name, creator] of Object.entries(options.prediction ?? {})) {
      this.registerPredictionProvider(name as ProviderName, creator);
    }
  }

  /** The seed's static constructor of storage providers. CloudConfigurationError when not configured. */
  static createStorageProvider(
    provider: ProviderName,
    config: Config,
    logger?: Logger,
  ): CloudStorageProvider {
    switch (provider) {
      case "aws":
        return S3Manager.fromConfig(config, logger);
      case "runpod":
        return RunPodStorageManager.fromConfig(config, logger);
      case "local":
        return LocalStorageManager.fromConfig(config, logger);
      default:
        throw new CloudConfigurationError(`Unknown storage provider "${String(provider)}".`);
    }
  }

  /** The storage that owns a URI, by its scheme (s3 → aws, runpod → runpod, file → local). */
  static storageForUri(uri: string, config: Config, logger?: Logger): CloudStorageProvider {
    const scheme = schemeOf(uri);
    const provider = scheme === "s3" ? "aws" : scheme === "file" ? "local" : scheme;
    if (!provider) throw new CloudConfigurationError("Not a storage URI.", { scheme: uri.split(":")[0] });
    return CloudProviderFactory.createStorageProvider(provider, config, logger);
  }

  registerTrainingProvider(provider: ProviderName, creator: TrainingProviderCreator): this {
    this.training.set(provider, creator);
    return this;
  }

  registerPredictionProvider(provider: ProviderName, creator: PredictionProviderCreator): this {
    this.prediction.set(provider, creator);
    return this;
  }

  /** One storage instance per provider, shared by the compute providers built here. */
  createStorageProvider(provider: ProviderName): CloudStorageProvider {
    let storage = this.storages.get(provider);
    if (!storage) {
      storage = CloudProviderFactory.createStorageProvider(provider, this.config, this.logger);
      this.storages.set(provider, storage);
    }
    return storage;
  }

  createTrainingProvider(provider: ProviderName): CloudTrainingProvider {
    return this.build("training", provider, this.training.get(provider));
  }

  createPredictionProvider(provider: ProviderName): CloudPredictionProvider {
    return this.build("prediction", provider, this.prediction.get(provider));
  }

  private build<T>(kind: string, provider: ProviderName, creator?: (context: ProviderContext) => T): T {
    if (!creator) {
      throw new CloudConfigurationError(`No ${kind} provider is registered for "${provider}".`, { provider });
    }
    const factory = this;
    return creator({
      provider,
      config: this.config,
      logger: this.logger.child({ provider }),
      // Built on first use: a provider may run its jobs against another provider's storage.
      get storage() {
        return factory.createStorageProvider(provider);
      },
    });
  }

  /** Providers the environment configures, in PROVIDER_PRIORITY order; "local" (always there) last. */
  detectAvailableProviders(): ProviderName[] {
    const configured: Record<ProviderName, boolean> = {
      runpod: hasRunPodCredentials(this.config.runpod),
      aws: isAwsConfigured(this.config.aws),
      local: true,
    };
    return PROVIDER_PRIORITY.filter((provider) => configured[provider]);
  }

  /** A real call to the provider, bounded by `timeoutSeconds`; the result is cached briefly. */
  checkProviderHealth(
    provider: ProviderName,
    timeoutSeconds = DEFAULT_HEALTH_TIMEOUT_SECONDS,
  ): Promise<HealthReport> {
    return this.health.get(provider, async () => {
      try {
        return await this.probe(provider, timeoutSeconds);
      } catch (error) {
        return { healthy: false, errors: [`${provider}: ${describeFailure(error)}`] };
      }
    });
  }

  private probe(provider: ProviderName, timeoutSeconds: number): Promise<HealthReport> {
    const custom = this.options.healthProbes?.[provider];
    if (custom) return custom(timeoutSeconds);
    if (provider === "local") return Promise.resolve(HEALTHY);
    if (provider === "runpod") {
      const client = new RunPodGraphqlClient(runpodApiSettingsFrom(this.config), this.options.fetch);
      return checkRunPodHealth(client, timeoutSeconds);
    }
    return this.probeAws(timeoutSeconds);
  }

  private async probeAws(timeoutSeconds: number): Promise<HealthReport> {
    const targets = this.awsHealthTargets();
    try {
      return await checkAwsHealth(targets, timeoutSeconds);
    } finally {
      // Release the sockets of clients made for this probe only.
      if (targets.s3 !== this.options.awsClients?.s3) targets.s3.destroy();
      if (targets.ec2 !== this.options.awsClients?.ec2) targets.ec2.destroy();
    }
  }

  private awsHealthTargets() {
    const aws = this.config.aws;
    const credentials = awsCredentialsFrom(aws);
    const settings = aws.s3Bucket ? s3SettingsFrom(aws) : undefined;
    // One attempt each: the probe's own timeout is the budget, the SDK's retries would only eat it.
    const s3 =
      this.options.awsClients?.s3 ??
      createS3Client({
        region: aws.region,
        credentials,
        endpoint: aws.s3Endpoint,
        forcePathStyle: aws.s3ForcePathStyle,
        checksumWhenRequired: aws.checksumWhenRequired,
        maxAttempts: 1,
      });
    const ec2 =
      this.options.awsClients?.ec2 ?? createEc2Client({ region: aws.region, credentials, maxAttempts: 1 });
    return { s3, ec2, bucket: settings?.bucket };
  }

  /** The first healthy provider among the detected ones, RunPod > AWS > local. */
  async getBestProvider(timeoutSeconds = DEFAULT_HEALTH_TIMEOUT_SECONDS): Promise<ProviderName> {
    for (const provider of this.detectAvailableProviders()) {
      if ((await this.checkProviderHealth(provider, timeoutSeconds)).healthy) return provider;
    }
    return "local";
  }

  /**
   * Tries each detected provider in priority order: skips unhealthy ones, logs every failure, ends with
   * local. Throws CloudConfigurationError, with every attempt, only if even local cannot be created.
   */
  async createProviderWithFallback<K extends ProviderKind>(
    kind: K,
    timeoutSeconds = DEFAULT_HEALTH_TIMEOUT_SECONDS,
  ): Promise<FallbackResult<ProviderOf<K>>> {
    const attempts: FallbackAttempt[] = [];
    for (const provider of this.detectAvailableProviders()) {
      const health = await this.checkProviderHealth(provider, timeoutSeconds);
      if (!health.healthy) {
        this.skip(attempts, kind, provider, health.errors.join("; "));
        continue;
      }
      try {
        const instance = this.createOf(kind, provider) as ProviderOf<K>;
        this.logger.info({ kind, provider, skipped: attempts.length }, "provider selected");
        return { provider, instance, attempts };
      } catch (error) {
        this.skip(attempts, kind, provider, describeFailure(error));
      }
    }
    throw new CloudConfigurationError(`No ${kind} provider could be created.`, { attempts });
  }

  private createOf(kind: ProviderKind, provider: ProviderName): unknown {
    if (kind === "storage") return this.createStorageProvider(provider);
    return kind === "training"
      ? this.createTrainingProvider(provider)
      : this.createPredictionProvider(provider);
  }

  private skip(
    attempts: FallbackAttempt[],
    kind: ProviderKind,
    provider: ProviderName,
    reason: string,
  ): void {
    attempts.push({ provider, reason });
    this.logger.warn({ kind, provider, reason }, "provider skipped, trying the next one");
  }
}
