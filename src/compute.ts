/**
 * Where jobs run: this machine (always) and every cloud provider the environment configures. Builds the
 * providers, the ranked offers for the location pickers and the cloud reconciler, for src/app.ts.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createCloudProviders } from "./cloud/index.js";
import { LocalTrainingProvider } from "./cloud/local/compute.js";
import { LocalJobRunner } from "./cloud/local/job-runner.js";
import { LocalPredictionProvider } from "./cloud/local/prediction.js";
import type { LocalStorageManager } from "./cloud/local/storage.js";
import type { CloudProviderFactory } from "./cloud/provider-factory.js";
import type {
  CloudPredictionProvider,
  CloudTrainingProvider,
  ProviderName,
} from "./cloud/provider-interface.js";
import type { Config } from "./config.js";
import { CloudConfigurationError } from "./errors.js";
import type { ComputePort, UserDataPort } from "./flows/ports.js";
import type { Logger } from "./logger.js";

export interface Compute {
  training(provider: ProviderName): CloudTrainingProvider;
  prediction(provider: ProviderName): CloudPredictionProvider;
  offers: ComputePort;
  /** The seed's provider factory: health checks and the RunPod > AWS > local fallback over what is built. */
  factory: CloudProviderFactory;
  /** The reconciler's last round, for /admin. */
  lastReconcile(): { at: string; checked: number; terminated: string[]; errors: string[] } | undefined;
  start(): Promise<void>;
  /** Stops starting local jobs (running ones go on, and are adopted by the next start) and the reconciler. */
  stop(): Promise<void>;
}

export function createCompute(
  config: Config,
  deps: {
    logger: Logger;
    storage: LocalStorageManager;
    stagingDir: string;
    userData: UserDataPort;
    activeJobIds: () => Promise<Set<string>>;
  },
): Compute {
  const { logger, storage } = deps;
  const env = {
    ...process.env,
    DATA_DIR: storage.rootDir,
    MODEL_SIGNING_KEY: config.modelSigningKey,
    LOG_LEVEL: "warn",
  };
  const maxConcurrent = config.compute.localMaxConcurrentJobs ?? Math.max(1, availableParallelism() - 1);
  const runner = () =>
    new LocalJobRunner({ storage, maxConcurrent, env, logDir: join(deps.stagingDir, "logs"), logger });
  const trainingRunner = runner();
  const predictionRunner = runner();
  const local = {
    training: new LocalTrainingProvider(trainingRunner, storage),
    prediction: new LocalPredictionProvider(predictionRunner),
  };
  const cloud = createCloudProviders(config, {
    logger,
    homeStorage: storage,
    activeJobIds: deps.activeJobIds,
    reconcileIntervalMinutes: config.compute.reconcileIntervalMinutes,
    budgetOf: async (userId, kind) => {
      const b = await deps.userData.budget(userId);
      const perJob = kind === "training" ? b.perTrainingJob : b.perPrediction;
      return { perJob, monthlyLeft: Math.max(0, b.monthly - b.spentThisMonth) };
    },
  });
  // The seed's factory knows every provider, this machine included: its fallback ends here.
  cloud.factory.registerTrainingProvider("local", () => local.training);
  cloud.factory.registerPredictionProvider("local", () => local.prediction);
  const unavailable = (provider: ProviderName, kind: string) =>
    new CloudConfigurationError(`${provider} ${kind} is not configured on this bot.`, { provider });
  return {
    training: (provider) =>
      provider === "local"
        ? local.training
        : (cloud.training[provider] ?? throwing(unavailable(provider, "training"))),
    prediction: (provider) =>
      provider === "local"
        ? local.prediction
        : (cloud.prediction[provider] ?? throwing(unavailable(provider, "prediction"))),
    offers: cloud.compute,
    factory: cloud.factory,
    lastReconcile: () => cloud.reconciler?.lastReport,
    start: () => cloud.start(),
    async stop() {
      trainingRunner.close();
      predictionRunner.close();
      await cloud.stop();
    },
  };
}

function throwing(error: Error): never {
  throw error;
}
