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
import { isCapacityMessage, type Pod, parseComputeType, podInput, podNameFor } from "./pod-requests.js";
import { POD_VOLUME_MOUNT } from "./volume-mount.js";

/** Pods mount the network volume, which RunPod allows only on Secure Cloud in the volume's data center. */
export const POD_CLOUD = "SECURE";

export interface PodLaunchSettings {
  workerImage: string;
  /** The network volume every pod mounts at /workspace: the job's spec, dataset, model and channel. */
  networkVolumeId: string;
  /** The volume's data center: pods must run there to mount it. */
  dataCenterId: string;
  /** RUNPOD_REGISTRY_AUTH_ID: RunPod's id of the credentials that pull a private WORKER_IMAGE. */
  registryAuthId?: string;
  /** RUNPOD_POD_READY_TIMEOUT_SECONDS: no runtime by then → terminate and try the next offer. */
  podReadyTimeoutSeconds: number;
  containerDiskInGb: number;
  minVcpuCount: number;
  minMemoryInGb: number;
  /**
   * Env every training pod gets, readable by anyone holding the account's API key (RunPod lists it): nothing
   * secret goes here. The GraphQL URL (for self-termination) and the log level; the volume is mounted.
   */
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
  const { gpuTypeId } = parseComputeType(a.computeType, POD_CLOUD);
  const cloudType = POD_CLOUD;
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
    env: {
      ...a.settings.workerEnv,
      SMA_SPEC_URI: a.specUri,
      SMA_JOB_ID: a.spec.jobId,
      SMA_VOLUME_PATH: POD_VOLUME_MOUNT,
    },
    terminateAfter: new Date(deadline).toISOString(),
    containerDiskInGb: a.settings.containerDiskInGb,
    minVcpuCount: a.settings.minVcpuCount,
    minMemoryInGb: a.settings.minMemoryInGb,
    networkVolumeId: a.settings.networkVolumeId,
    volumeMountPath: POD_VOLUME_MOUNT,
    dataCenterId: a.settings.dataCenterId,
    containerRegistryAuthId: a.settings.registryAuthId,
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
