/**
 * EC2Manager: training on EC2 (contracts in ../provider-interface.ts, facts in seed §4). Each job is one
 * instance started from the worker image's user data, tagged {app, userId, jobId}, launched with the job id
 * as ClientToken, self-terminating on any exit. Job state lives in the job channel (S3) and in the tags, so a
 * restarted bot picks up where it was. Spot launches fall back to on-demand on capacity or price errors, and
 * a spot instance AWS takes back is relaunched on-demand. The instance reaches S3 with its instance profile's
 * short-lived credentials, and signs the model with the job's own key; no secret is in its user data.
 */
import { DescribeInstancesCommand, type EC2Client, type Instance } from "@aws-sdk/client-ec2";
import { type Logger, pino } from "pino";
import { AppError, InstanceLaunchError, ObjectNotFoundError, SpotInterruptionError } from "../../errors.js";
import { costSoFar, runtimeSecondsOf } from "../budget.js";
import { type ComputeRecord, JobChannel, trainSpecFrom } from "../job-channel.js";
import { jobSigningKey } from "../job-keys.js";
import type { TrainJobSpec } from "../job-spec.js";
import { selectFromOffers } from "../offers.js";
import { costOf, EC2_INSTANCE_TYPES, EC2_MIN_BILLED_SECONDS } from "../pricing.js";
import type {
  CloudStorageProvider,
  CloudTrainingProvider,
  TrainingJob,
  TrainingLaunchConfig,
  TrainingStatus,
} from "../provider-interface.js";
import type { OwnedCompute, ReconcilableCompute } from "../reconciler.js";
import { releaseJob, type StorageResolver, stageDataset, withModelHome } from "../staging.js";
import { type ComputeState, trainingStatusFrom } from "../training-status.js";
import { describeJobInstances, listOwnedInstances, terminateAndWait } from "./ec2-instances.js";
import { Ec2Launcher, type Ec2LaunchSettings, rateOf } from "./ec2-launcher.js";
import { isGone, stateOf, tagOf, transitionTimeOf, wasSpotInterrupted } from "./ec2-requests.js";
import type { Ec2OfferSource } from "./offers.js";
import { INSTANCE_LOG_FILE } from "./user-data.js";

/**
 * What EC2Manager needs beyond the SDK client: the launch template, in effect. The instance profile needs
 * read and write access to jobs/ in the bucket, and pulling the worker image (deploy/aws/).
 */
export type Ec2Settings = Ec2LaunchSettings;

export interface Ec2ManagerOptions {
  ec2: EC2Client;
  /** S3 storage: the job channel and the artifacts. */
  storage: CloudStorageProvider;
  settings: Ec2Settings;
  offers: Ec2OfferSource;
  /** Where other storages' URIs resolve, to stage a dataset into S3 before launch. */
  resolveStorage: StorageResolver;
  /** The bot's storage: a finished model is stored there. */
  homeStorage: CloudStorageProvider;
  /** MODEL_SIGNING_KEY: derives the job keys, and re-signs what comes back. Never leaves the bot. */
  signingKey: string;
  logger?: Logger;
  now?: () => Date;
  /** Between checks while waiting for a termination; default 2 s. */
  pollIntervalMs?: number;
  /** How long terminateTraining waits for shutting-down before RetryLaterError; default 2 min. */
  terminateTimeoutMs?: number;
  /** Spot interruptions survived by relaunching on-demand; default 2. */
  maxSpotRelaunches?: number;
  /** A job with no instance visible yet is "launching" for this long after launch; default 2 min. */
  launchGraceMs?: number;
}

/** Lines of the instance log shown with a failure. */
const INSTANCE_LOG_TAIL_LINES = 8;

const DEFAULTS = {
  pollIntervalMs: 2000,
  terminateTimeoutMs: 120_000,
  maxSpotRelaunches: 2,
  launchGraceMs: 120_000,
};

export class EC2Manager implements CloudTrainingProvider, ReconcilableCompute {
  readonly provider = "aws" as const;
  private readonly channel: JobChannel;
  private readonly logger: Logger;
  private readonly o: Ec2ManagerOptions & typeof DEFAULTS;
  private readonly launcher: Ec2Launcher;

  constructor(options: Ec2ManagerOptions) {
    this.o = { ...DEFAULTS, ...options };
    this.channel = new JobChannel(options.storage);
    this.logger = options.logger ?? pino({ level: "silent" });
    this.launcher = new Ec2Launcher({
      ec2: options.ec2,
      settings: options.settings,
      offers: options.offers,
      logger: this.logger,
      now: () => this.now(),
      specUri: (jobId) => this.channel.uri(jobId, "spec.json"),
      describeJob: (jobId, signal) => this.describeJob(jobId, signal),
    });
  }

  private now(): Date {
    return this.o.now ? this.o.now() : new Date();
  }

  selectComputeType(datasetSizeMb: number, modelType: string, estimatedMinutes?: number): Promise<string> {
    return selectFromOffers(this.o.offers, datasetSizeMb, modelType, estimatedMinutes);
  }

  async launchTraining(config: TrainingLaunchConfig, signal?: AbortSignal): Promise<TrainingJob> {
    const instances = await this.describeJob(config.jobId, signal);
    const record = await this.recordOf(config.jobId, instances);
    if (record && (instances.some((i) => !isGone(i)) || (await this.channel.readResult(config.jobId)))) {
      return this.jobFrom(config.jobId, record); // launched before (a retry, or a restored workflow)
    }
    const storage = this.o.storage;
    const datasetUri = await stageDataset(config.datasetUri, storage, this.o.resolveStorage, config);
    const jobKey = jobSigningKey(this.o.signingKey, config);
    const spec = await this.channel.writeSpecOnce(
      trainSpecFrom({ ...config, datasetUri }, storage, `aws:${config.computeType}`, this.now(), {
        jobKey,
        gpu: Boolean(EC2_INSTANCE_TYPES[config.computeType as keyof typeof EC2_INSTANCE_TYPES]?.gpu),
      }),
    );
    const relaunch = record?.segments.length ?? 0;
    const launched = await this.launcher.launch(
      spec,
      config.computeType,
      Boolean(config.spot),
      relaunch,
      signal,
    );
    const minutes = config.estimatedMinutes ?? (Date.parse(spec.deadline) - this.now().getTime()) / 60_000;
    const next: ComputeRecord = {
      provider: "aws",
      computeType: config.computeType,
      spot: launched.market === "spot",
      launchedAt: record?.launchedAt ?? this.now().toISOString(),
      deadline: spec.deadline,
      estimatedCost: costOf(launched.hourlyRate, minutes * 60, EC2_MIN_BILLED_SECONDS),
      segments: [...(record?.segments ?? []), this.segmentOf(launched.instance, launched.hourlyRate)],
    };
    await this.channel.writeCompute(config.jobId, next);
    this.logger.info(
      { jobId: config.jobId, instanceId: launched.instance.InstanceId, market: launched.market },
      "EC2 training instance launched",
    );
    return this.jobFrom(config.jobId, next);
  }

  async monitorTraining(jobId: string, signal?: AbortSignal): Promise<TrainingStatus> {
    // Instances first, then the channel: a worker writes its result before its instance goes away.
    const instances = await this.describeJob(jobId, signal);
    let record = await this.recordOf(jobId, instances);
    if (!record) throw new ObjectNotFoundError(`No EC2 training job ${jobId}.`, { jobId });
    record = await this.closeEndedSegments(jobId, record, instances);
    let snapshot = await this.channel.snapshot(jobId);
    if (snapshot.result?.status === "cancelled" && this.wasInterrupted(record, instances)) {
      await this.channel.clearOutcome(jobId); // the worker saw the interruption as a SIGTERM
      snapshot = { ...snapshot, result: undefined, progress: undefined };
    }
    const compute = snapshot.result
      ? ({ kind: "running" } as const)
      : await this.computeState(jobId, record, instances);
    if (compute.kind === "gone") {
      await this.channel.endIfMissing(jobId, "failed", compute.error);
      snapshot = await this.channel.snapshot(jobId);
    }
    record = (await this.channel.readCompute(jobId)) ?? record;
    const status: TrainingStatus = trainingStatusFrom({
      jobId,
      snapshot,
      compute: compute.kind === "gone" ? { kind: "gone", reason: compute.error.message } : compute,
      logs: await this.channel.readLogs(jobId),
      costSoFar: costSoFar(record.segments, this.now()),
      runtimeSeconds: runtimeSecondsOf(record.segments, this.now()),
    });
    if (status.status === "failed") return { ...status, diagnostics: await this.instanceLogTail(jobId) };
    const delivery = { from: this.o.storage, home: this.o.homeStorage, signingKey: this.o.signingKey };
    return withModelHome(status, snapshot.spec as TrainJobSpec | undefined, delivery);
  }

  async terminateTraining(jobId: string): Promise<string> {
    const instances = await this.describeJob(jobId);
    const live = instances.filter((i) => !isGone(i)).map((i) => i.InstanceId!);
    await this.terminateAndWait(live);
    const endedAt = this.now().toISOString();
    for (const id of live) await this.channel.closeSegment(jobId, id, endedAt);
    if (await this.channel.readSpec(jobId)) {
      await this.channel.endIfMissing(jobId, "cancelled", new AppError("The job was cancelled.", { jobId }));
    }
    return jobId;
  }

  pollTrainingLogs(jobId: string, signal?: AbortSignal): AsyncIterable<string> {
    const done = async () => Boolean(await this.channel.readResult(jobId));
    return this.channel.pollLogs(jobId, done, this.o.pollIntervalMs, signal);
  }

  /** Removes the job's folder from the bucket (its staged dataset and outputs) once the instance is gone. */
  releaseJob(jobId: string): Promise<void> {
    return releaseJob(this.o.storage, jobId);
  }

  /** The seed's get_instance_logs: the worker's log lines, then the instance's own boot log if uploaded. */
  async getInstanceLogs(instanceId: string): Promise<string> {
    const { Reservations } = await this.o.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [instanceId] }),
    );
    const instance = Reservations?.[0]?.Instances?.[0];
    const jobId = instance && tagOf(instance, "jobId");
    if (!jobId)
      throw new ObjectNotFoundError(`Instance ${instanceId} is not one of our training jobs.`, {
        instanceId,
      });
    const lines = await this.channel.readLogs(jobId);
    const boot = await this.instanceLog(jobId);
    return [...lines, ...(boot ? ["--- instance log ---", boot] : [])].join("\n");
  }

  /** What the user-data script printed (uploaded when the instance powers off), or "" while there is none. */
  private instanceLog(jobId: string): Promise<string> {
    return this.o.storage
      .readBytes(this.channel.uri(jobId, INSTANCE_LOG_FILE))
      .then((b) => Buffer.from(b).toString("utf8"))
      .catch(() => "");
  }

  /** The last lines of the instance's own log: why a bad AMI or image never ran the worker. */
  private async instanceLogTail(jobId: string): Promise<string[] | undefined> {
    const lines = (await this.instanceLog(jobId)).split("\n").filter((l) => l.trim());
    return lines.length > 0 ? lines.slice(-INSTANCE_LOG_TAIL_LINES) : undefined;
  }

  listOwnedCompute(signal?: AbortSignal): Promise<OwnedCompute[]> {
    return listOwnedInstances(this.o.ec2, signal);
  }

  terminateResource(instanceId: string): Promise<void> {
    return this.terminateAndWait([instanceId]);
  }

  // === reading state

  /** The stored record, or one rebuilt from the instances' tags (a bot that crashed right after launching). */
  private async recordOf(jobId: string, instances: Instance[]): Promise<ComputeRecord | undefined> {
    const stored = await this.channel.readCompute(jobId);
    if (stored || instances.length === 0) return stored;
    const first = instances[0];
    const rebuilt: ComputeRecord = {
      provider: "aws",
      computeType: first.InstanceType ?? "unknown",
      spot: tagOf(first, "market") === "spot",
      launchedAt: (first.LaunchTime ?? this.now()).toISOString(),
      deadline: tagOf(first, "deadline") ?? this.now().toISOString(),
      estimatedCost: 0,
      segments: instances.map((i) => this.segmentOf(i, rateOf(i))),
    };
    await this.channel.writeCompute(jobId, rebuilt);
    return rebuilt;
  }

  private segmentOf(instance: Instance, hourlyRate: number) {
    return {
      resourceId: instance.InstanceId!,
      hourlyRate,
      startedAt: (instance.LaunchTime ?? this.now()).toISOString(),
      minBilledSeconds: EC2_MIN_BILLED_SECONDS,
    };
  }

  /** Closes the cost segment of every instance AWS reports as shutting-down or terminated. */
  private async closeEndedSegments(jobId: string, record: ComputeRecord, instances: Instance[]) {
    let current = record;
    for (const instance of instances.filter(isGone)) {
      const endedAt = transitionTimeOf(instance) ?? this.now().toISOString();
      current = (await this.channel.closeSegment(jobId, instance.InstanceId!, endedAt)) ?? current;
    }
    return current;
  }

  private async computeState(
    jobId: string,
    record: ComputeRecord,
    instances: Instance[],
  ): Promise<Exclude<ComputeState, { kind: "gone" }> | { kind: "gone"; error: AppError }> {
    // The record, not the listing, says which instance is current: a just-launched one may not be listed yet.
    const current = record.segments.at(-1);
    const latest = instances.find((i) => i.InstanceId === current?.resourceId);
    if (!latest || !current) {
      const age = this.now().getTime() - Date.parse(current?.startedAt ?? record.launchedAt);
      if (age < this.o.launchGraceMs) return { kind: "starting", message: "Waiting for the instance" };
      return {
        kind: "gone",
        error: new InstanceLaunchError("The instance for this job no longer exists.", { jobId }),
      };
    }
    const state = stateOf(latest);
    if (state === "pending") return { kind: "starting", message: "Booting the instance" };
    if (state === "running") return { kind: "running" };
    if (!wasSpotInterrupted(latest)) {
      const why = latest.StateReason?.Message ?? state;
      return {
        kind: "gone",
        error: new InstanceLaunchError(`The instance stopped without a result (${why}).`, { jobId }),
      };
    }
    const relaunches = record.segments.length - 1;
    if (relaunches >= this.o.maxSpotRelaunches) {
      return {
        kind: "gone",
        error: new SpotInterruptionError(
          `AWS reclaimed the spot instance ${relaunches + 1} times; giving up.`,
          { jobId },
        ),
      };
    }
    await this.relaunchOnDemand(jobId, record);
    return {
      kind: "relaunching",
      message: `AWS reclaimed the spot instance; restarting on-demand (${relaunches + 1})`,
    };
  }

  private wasInterrupted(record: ComputeRecord, instances: Instance[]): boolean {
    const current = instances.find((i) => i.InstanceId === record.segments.at(-1)?.resourceId);
    return current !== undefined && isGone(current) && wasSpotInterrupted(current);
  }

  private async relaunchOnDemand(jobId: string, record: ComputeRecord): Promise<void> {
    const spec = (await this.channel.readSpec(jobId)) as TrainJobSpec | undefined;
    if (!spec) throw new ObjectNotFoundError(`No spec for job ${jobId}.`, { jobId });
    const relaunch = record.segments.length;
    const launched = await this.launcher.launch(spec, record.computeType, false, relaunch);
    record.segments.push(this.segmentOf(launched.instance, launched.hourlyRate));
    await this.channel.writeCompute(jobId, record);
    this.logger.warn(
      { jobId, instanceId: launched.instance.InstanceId },
      "spot instance reclaimed; relaunched",
    );
  }

  private jobFrom(jobId: string, record: ComputeRecord): TrainingJob {
    const last = record.segments.at(-1);
    return {
      jobId,
      status: "launching",
      launchTime: record.launchedAt,
      computeType: record.computeType,
      estimatedCost: record.estimatedCost,
      hourlyRate: last?.hourlyRate ?? 0,
      resourceId: last?.resourceId,
      deadline: record.deadline,
    };
  }

  /** TerminateInstances, then waits until AWS reports every instance shutting-down or terminated. */
  private terminateAndWait(instanceIds: string[]): Promise<void> {
    return terminateAndWait(this.o.ec2, instanceIds, {
      pollIntervalMs: this.o.pollIntervalMs,
      timeoutMs: this.o.terminateTimeoutMs,
    });
  }

  private describeJob(jobId: string, signal?: AbortSignal): Promise<Instance[]> {
    return describeJobInstances(this.o.ec2, jobId, signal);
  }
}
