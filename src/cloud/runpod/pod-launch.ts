/**
 * Creating one training pod: the input (image, GPU, cloud, env, terminateAfter), spot bids, and the error
 * handling of runpod-api.md §7. Capacity messages mean nothing was created (CapacityError: the next offer is
 * tried). Any other failure that is not a definite refusal (a timeout, a 5xx page, an internal error) may
 * have created the pod anyway, so the pod is looked up by its name before the create is tried again.
 */
import type { Logger } from "pino";
import { AppError, CapacityError, CloudTrainingError, InvalidCredentialError } from "../../errors.js";
import type { TrainJobSpec } from "../job-spec.js";
import { RUNPOD_GPU_PRICES } from "../pricing.js";
import type { RunPodOfferSource } from "./offers.js";
import type { RunPodPodApi } from "./pod-api.js";
import {
  type CloudType,
  isCapacityMessage,
  type Pod,
  parseComputeType,
  podInput,
  podNameFor,
} from "./pod-requests.js";

export interface PodLaunchSettings {
  workerImage: string;
  cloudType: CloudType;
  dataCenterId?: string;
  /** RUNPOD_POD_READY_TIMEOUT_SECONDS: no runtime by then → terminate and try the next offer. */
  podReadyTimeoutSeconds: number;
  containerDiskInGb: number;
  minVcpuCount: number;
  minMemoryInGb: number;
  /** Env every training pod gets: volume S3 access, the signing key, the API URL for self-termination. */
  workerEnv: Record<string, string>;
  /** RunPod terminates the pod itself this long after the job's deadline. */
  terminateAfterMarginMinutes: number;
  /** Create attempts, each preceded (after the first) by a lookup by name. */
  createAttempts: number;
}

export interface CreatePodArgs {
  api: RunPodPodApi;
  offers: RunPodOfferSource;
  settings: PodLaunchSettings;
  spec: TrainJobSpec;
  specUri: string;
  computeType: string;
  spot: boolean;
  logger: Logger;
  signal?: AbortSignal;
}

export async function createPod(a: CreatePodArgs): Promise<Pod> {
  const { gpuTypeId, cloudType } = parseComputeType(a.computeType, a.settings.cloudType);
  const display = `${RUNPOD_GPU_PRICES[gpuTypeId]?.displayName ?? gpuTypeId} ${cloudType.toLowerCase()}`;
  const bidPerGpu = a.spot ? await a.offers.spotBid(gpuTypeId, cloudType) : undefined;
  if (a.spot && bidPerGpu === undefined) {
    throw new CapacityError(`RunPod has no spot market for ${display}.`, { provider: "runpod", gpuTypeId });
  }
  const name = podNameFor(a.spec.jobId);
  const deadline = Date.parse(a.spec.deadline) + a.settings.terminateAfterMarginMinutes * 60_000;
  const input = podInput({
    name,
    imageName: a.settings.workerImage,
    gpuTypeId,
    cloudType,
    env: { ...a.settings.workerEnv, SMA_SPEC_URI: a.specUri, SMA_JOB_ID: a.spec.jobId },
    terminateAfter: new Date(deadline).toISOString(),
    containerDiskInGb: a.settings.containerDiskInGb,
    minVcpuCount: a.settings.minVcpuCount,
    minMemoryInGb: a.settings.minMemoryInGb,
    dataCenterId: a.settings.dataCenterId,
    bidPerGpu,
  });
  for (let attempt = 1; ; attempt++) {
    try {
      return await a.api.create(input, a.spot, a.signal);
    } catch (error) {
      if (a.signal?.aborted || error instanceof InvalidCredentialError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (isCapacityMessage(message)) {
        throw new CapacityError(`RunPod has no ${display} available right now.`, {
          provider: "runpod",
          gpuTypeId,
          cloudType,
        });
      }
      if (error instanceof AppError && error.details.retryable === false) {
        throw new CloudTrainingError(
          `RunPod refused the pod: ${message}`,
          { provider: "runpod", gpuTypeId },
          { cause: error },
        );
      }
      const found = await a.api.findByName(name, a.signal).catch(() => undefined);
      if (found) {
        a.logger.warn(
          { jobId: a.spec.jobId, podId: found.id },
          "the create failed, but the pod exists: using it",
        );
        return found;
      }
      if (attempt >= a.settings.createAttempts) {
        throw new CloudTrainingError(
          `RunPod did not create the pod: ${message}`,
          { provider: "runpod", gpuTypeId },
          { cause: error },
        );
      }
    }
  }
}
