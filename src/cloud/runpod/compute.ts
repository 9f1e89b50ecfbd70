/**
 * RunPodPodManager: training on RunPod GPU pods (contracts in ../provider-interface.ts, facts in
 * runpod-api.md §2, §6, §7). A pod is named `sma-{jobId}`, mounts the network volume (so it needs no storage
 * key: its files are the job's folder there), signs the model with the job's own key, terminates itself when
 * the worker ends, and carries `terminateAfter` = deadline as RunPod's own backstop. Launch waits for the pod
 * to really run (runtime non-null); past the readiness timeout the pod is terminated and
 * PodCreationTimeoutError 3001 sends the flow to the next offer. A create that failed ambiguously is looked up
 * by name before it is tried again. A finished model is checked, re-signed and stored at home (staging.ts).
 */
import { type Logger, pino } from "pino";
import {
  AppError,
  CloudTrainingError,
  ObjectNotFoundError,
  PodCreationTimeoutError,
  SpotInterruptionError,
} from "../../errors.js";
import { costSoFar, runtimeSecondsOf } from "../budget.js";
import { type ComputeRecord, JobChannel, trainSpecFrom } from "../job-channel.js";
import { jobSigningKey } from "../job-keys.js";
import type { TrainJobSpec } from "../job-spec.js";
import { selectFromOffers } from "../offers.js";
import { costOf, mayUseGpu, RUNPOD_MIN_BILLED_SECONDS } from "../pricing.js";
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
import { RUNPOD_POD_UNSUPPORTED, type RunPodOfferSource } from "./offers.js";
import type { RunPodPodApi } from "./pod-api.js";
import { createPod, POD_CLOUD, type PodLaunchSettings } from "./pod-launch.js";
import { computeMetricsOf, type PodMetrics, podMetrics } from "./pod-metrics.js";
import { waitForPod } from "./pod-readiness.js";
import {
  computeTypeOf,
  isInterrupted,
  isPodGone,
  isPodReady,
  jobIdOfPod,
  POD_NAME_PREFIX,
  type Pod,
  parseComputeType,
  podNameFor,
} from "./pod-requests.js";

export type RunPodPodSettings = PodLaunchSettings;

export interface RunPodPodManagerOptions {
  api: RunPodPodApi;
  /** The network volume (RunPodStorageManager): job channel and artifacts. */
  storage: CloudStorageProvider;
  settings: RunPodPodSettings;
  offers: RunPodOfferSource;
  /** Where datasets to stage are read from. */
  resolveStorage: StorageResolver;
  /** The bot's storage: a finished model is stored there. */
  homeStorage: CloudStorageProvider;
  /** MODEL_SIGNING_KEY: derives the job keys, and re-signs what comes back. Never leaves the bot. */
  signingKey: string;
  logger?: Logger;
  now?: () => Date;
  /** Between readiness checks during launch; default 5 s (runpod-api.md §6: never poll tighter). */
  readinessPollMs?: number;
  maxSpotRelaunches?: number;
}

/** A pod that terminated itself after its result: billing ends within seconds of the worker's end. */
const SELF_TERMINATE_GRACE_MS = 15_000;

export class RunPodPodManager implements CloudTrainingProvider, ReconcilableCompute {
  readonly provider = "runpod" as const;
  private readonly channel: JobChannel;
  private readonly logger: Logger;
  private readonly readinessPollMs: number;

  constructor(private readonly o: RunPodPodManagerOptions) {
    this.channel = new JobChannel(o.storage);
    this.logger = o.logger ?? pino({ level: "silent" });
    this.readinessPollMs = o.readinessPollMs ?? 5_000;
  }

  private now(): Date {
    return this.o.now ? this.o.now() : new Date();
  }

  selectComputeType(datasetSizeMb: number, modelType: string, estimatedMinutes?: number): Promise<string> {
    return selectFromOffers(this.o.offers, datasetSizeMb, modelType, estimatedMinutes);
  }

  async launchTraining(config: TrainingLaunchConfig, signal?: AbortSignal): Promise<TrainingJob> {
    if (!mayUseGpu(config.modelType)) {
      throw new CloudTrainingError(RUNPOD_POD_UNSUPPORTED.cpuOnlyModels, { modelType: config.modelType });
    }
    const record = await this.channel.readCompute(config.jobId);
    const existing = await this.o.api.findByName(podNameFor(config.jobId), signal);
    if (record && existing) {
      await this.waitReady(config.jobId, existing, record, signal); // a restored workflow resumes waiting
      return this.jobFrom(config.jobId, record);
    }
    if (record && (await this.channel.readResult(config.jobId))) return this.jobFrom(config.jobId, record);
    const datasetUri = await stageDataset(config.datasetUri, this.o.storage, this.o.resolveStorage, config);
    const { gpuTypeId } = parseComputeType(config.computeType, POD_CLOUD);
    const jobKey = jobSigningKey(this.o.signingKey, config);
    const spec = await this.channel.writeSpecOnce(
      trainSpecFrom({ ...config, datasetUri }, this.o.storage, `runpod:${gpuTypeId}`, this.now(), {
        jobKey,
        gpu: true,
      }),
    );
    const pod =
      existing ??
      (await this.create(spec, computeTypeOf(gpuTypeId, POD_CLOUD), Boolean(config.spot), signal));
    const next = await this.recordLaunch(config.computeType, config.estimatedMinutes, spec, pod, record);
    await this.waitReady(config.jobId, pod, next, signal);
    return this.jobFrom(config.jobId, next);
  }

  async monitorTraining(jobId: string, signal?: AbortSignal): Promise<TrainingStatus> {
    let record = await this.channel.readCompute(jobId);
    if (!record) throw new ObjectNotFoundError(`No RunPod training job ${jobId}.`, { jobId });
    const segment = record.segments.at(-1);
    const pod = segment && !segment.endedAt ? await this.o.api.getPod(segment.resourceId, signal) : null;
    let snapshot = await this.channel.snapshot(jobId);
    if (pod && isInterrupted(pod) && (!snapshot.result || snapshot.result.status === "cancelled")) {
      return this.afterInterruption(jobId, record, pod);
    }
    const metrics = pod && isPodReady(pod) ? podMetrics(pod) : undefined;
    if (segment && !segment.endedAt && isPodGone(pod)) {
      const finished = snapshot.result
        ? Date.parse(snapshot.result.finishedAt) + SELF_TERMINATE_GRACE_MS
        : Infinity;
      const endedAt = new Date(Math.min(this.now().getTime(), finished)).toISOString();
      record = (await this.channel.closeSegment(jobId, segment.resourceId, endedAt)) ?? record;
    }
    const compute = snapshot.result
      ? ({ kind: "running" } as const)
      : await this.computeState(jobId, record, pod);
    if ("error" in compute) {
      await this.channel.endIfMissing(jobId, "failed", compute.error);
      snapshot = await this.channel.snapshot(jobId);
      record = (await this.channel.readCompute(jobId)) ?? record;
    }
    const status = await this.statusOf(
      jobId,
      record,
      snapshot,
      "error" in compute ? { kind: "running" } : compute,
    );
    return metrics && status.status === "running"
      ? { ...status, metrics: computeMetricsOf(metrics) }
      : status;
  }

  async terminateTraining(jobId: string): Promise<string> {
    const record = await this.channel.readCompute(jobId);
    const byName = await this.o.api.findByName(podNameFor(jobId));
    const open = (record?.segments ?? []).filter((s) => !s.endedAt).map((s) => s.resourceId);
    const podIds = [...new Set([...open, ...(byName ? [byName.id] : [])])];
    for (const podId of podIds) await this.o.api.terminate(podId);
    const endedAt = this.now().toISOString();
    for (const podId of podIds) await this.channel.closeSegment(jobId, podId, endedAt);
    if (record)
      await this.channel.endIfMissing(jobId, "cancelled", new AppError("The job was cancelled.", { jobId }));
    return jobId;
  }

  pollTrainingLogs(jobId: string, signal?: AbortSignal): AsyncIterable<string> {
    const done = async () => Boolean(await this.channel.readResult(jobId));
    return this.channel.pollLogs(jobId, done, this.readinessPollMs, signal);
  }

  /** Removes the job's folder from the volume once its pod is gone: the volume has a fixed size. */
  releaseJob(jobId: string): Promise<void> {
    return releaseJob(this.o.storage, jobId);
  }

  /** The seed's get_pod_metrics: GPU, VRAM, CPU and memory use of a running pod. */
  async getPodMetrics(podId: string): Promise<PodMetrics> {
    const pod = await this.o.api.getPod(podId);
    if (!pod) throw new ObjectNotFoundError(`Pod ${podId} not found.`, { podId });
    return podMetrics(pod);
  }

  async listOwnedCompute(signal?: AbortSignal): Promise<OwnedCompute[]> {
    const pods = await this.o.api.listPods(signal);
    return pods
      .filter((p) => p.name?.startsWith(POD_NAME_PREFIX) && !isPodGone(p))
      .map((p) => ({
        provider: "runpod" as const,
        resourceId: p.id,
        jobId: jobIdOfPod(p),
        name: p.name ?? undefined,
        launchedAt: p.createdAt ?? undefined,
      }));
  }

  terminateResource(podId: string): Promise<void> {
    return this.o.api.terminate(podId);
  }

  // === launching

  private create(spec: TrainJobSpec, computeType: string, spot: boolean, signal?: AbortSignal): Promise<Pod> {
    return createPod({
      api: this.o.api,
      offers: this.o.offers,
      settings: this.o.settings,
      spec,
      specUri: this.channel.uri(spec.jobId, "spec.json"),
      computeType,
      spot,
      logger: this.logger,
      signal,
    });
  }

  private async recordLaunch(
    computeType: string,
    estimatedMinutes: number | undefined,
    spec: TrainJobSpec,
    pod: Pod,
    previous?: ComputeRecord,
  ) {
    const rate = await this.rateOf(pod, computeType);
    const minutes = estimatedMinutes ?? (Date.parse(spec.deadline) - this.now().getTime()) / 60_000;
    const record: ComputeRecord = {
      provider: "runpod",
      computeType,
      spot: pod.podType === "INTERRUPTABLE",
      launchedAt: previous?.launchedAt ?? this.now().toISOString(),
      deadline: spec.deadline,
      estimatedCost: costOf(rate, minutes * 60, RUNPOD_MIN_BILLED_SECONDS),
      segments: [
        ...(previous?.segments ?? []),
        {
          resourceId: pod.id,
          hourlyRate: rate,
          startedAt: this.now().toISOString(),
          minBilledSeconds: RUNPOD_MIN_BILLED_SECONDS,
        },
      ],
    };
    await this.channel.writeCompute(spec.jobId, record);
    this.logger.info({ jobId: spec.jobId, podId: pod.id, rate }, "RunPod training pod created");
    return record;
  }

  /** The pod's own costPerHr (runpod-api.md §6: record it, don't assume the catalog price). */
  private async rateOf(pod: Pod, computeType: string): Promise<number> {
    if (typeof pod.costPerHr === "number" && pod.costPerHr > 0) return pod.costPerHr;
    const { gpuTypeId } = parseComputeType(computeType, POD_CLOUD);
    return (await this.o.offers.expectedRate(gpuTypeId, POD_CLOUD).catch(() => undefined)) ?? 0;
  }

  private waitReady(jobId: string, first: Pod, record: ComputeRecord, signal?: AbortSignal): Promise<void> {
    const deps = {
      api: this.o.api,
      channel: this.channel,
      logger: this.logger,
      now: () => this.now(),
      timeoutSeconds: this.o.settings.podReadyTimeoutSeconds,
      pollMs: this.readinessPollMs,
    };
    return waitForPod(deps, jobId, first, record, signal);
  }

  // === monitoring

  private async computeState(
    jobId: string,
    record: ComputeRecord,
    pod: Pod | null,
  ): Promise<ComputeState | { error: AppError }> {
    const segment = record.segments.at(-1);
    if (!segment || segment.endedAt || isPodGone(pod)) {
      return { error: new CloudTrainingError("The pod ended without writing a result.", { jobId }) };
    }
    if (pod!.desiredStatus === "EXITED") {
      await this.stopBilling(jobId, pod!.id); // a stopped pod still bills its disk
      return { error: new CloudTrainingError("The pod stopped without writing a result.", { jobId }) };
    }
    if (isPodReady(pod!) || (await this.channel.readProgress(jobId))) return { kind: "running" };
    const age = this.now().getTime() - Date.parse(segment.startedAt);
    if (age < this.o.settings.podReadyTimeoutSeconds * 1000)
      return { kind: "starting", message: "Starting the pod" };
    await this.stopBilling(jobId, pod!.id);
    return { error: new PodCreationTimeoutError("The pod never started; it was terminated.", { jobId }) };
  }

  private async afterInterruption(jobId: string, record: ComputeRecord, pod: Pod): Promise<TrainingStatus> {
    await this.stopBilling(jobId, pod.id);
    const relaunches = record.segments.length - 1;
    const spec = (await this.channel.readSpec(jobId)) as TrainJobSpec | undefined;
    if (relaunches >= (this.o.maxSpotRelaunches ?? 2) || !spec) {
      const error = new SpotInterruptionError(
        `RunPod reclaimed the spot pod ${relaunches + 1} times; giving up.`,
        { jobId },
      );
      await this.channel.endIfMissing(jobId, "failed", error);
    } else {
      await this.channel.clearOutcome(jobId); // the worker took the interruption for a SIGTERM
      const { gpuTypeId } = parseComputeType(record.computeType, POD_CLOUD);
      const fresh = await this.create(spec, computeTypeOf(gpuTypeId, POD_CLOUD), false);
      const current = (await this.channel.readCompute(jobId)) ?? record;
      await this.recordLaunch(record.computeType, undefined, spec, fresh, current);
      this.logger.warn({ jobId, podId: fresh.id }, "spot pod reclaimed; relaunched on-demand");
    }
    const latest = (await this.channel.readCompute(jobId)) ?? record;
    const message = `RunPod reclaimed the spot pod; restarting on-demand (${relaunches + 1})`;
    return this.statusOf(jobId, latest, await this.channel.snapshot(jobId), { kind: "relaunching", message });
  }

  private async stopBilling(jobId: string, podId: string): Promise<void> {
    await this.o.api.terminate(podId);
    await this.channel.closeSegment(jobId, podId, this.now().toISOString());
  }

  private async statusOf(
    jobId: string,
    record: ComputeRecord,
    snapshot: Awaited<ReturnType<JobChannel["snapshot"]>>,
    compute: ComputeState,
  ): Promise<TrainingStatus> {
    const status = trainingStatusFrom({
      jobId,
      snapshot,
      compute,
      logs: await this.channel.readLogs(jobId),
      costSoFar: costSoFar(record.segments, this.now()),
      runtimeSeconds: runtimeSecondsOf(record.segments, this.now()),
    });
    const delivery = { from: this.o.storage, home: this.o.homeStorage, signingKey: this.o.signingKey };
    return withModelHome(status, snapshot.spec as TrainJobSpec | undefined, delivery);
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
}
