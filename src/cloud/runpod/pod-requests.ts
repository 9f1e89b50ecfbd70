/**
 * RunPod pod GraphQL documents, input builders and response readers (no I/O), from runpod-api.md §2–§3.
 * Stop/terminate take an inline `{podId: $podId}` object, as the official clients do, since the input type
 * names are not confirmed. Each document is typed with its result and variables (client.ts).
 */
import { runpodDocument } from "./client.js";

/** Every pod we create is named `sma-{jobId}`; the reconciler lists by this prefix. */
export const POD_NAME_PREFIX = "sma-";

export type CloudType = "COMMUNITY" | "SECURE" | "ALL";

const POD_FIELDS = `id name desiredStatus podType costPerHr imageName gpuCount vcpuCount memoryInGb createdAt
  lastStatusChange env machine { gpuDisplayName dataCenterId }
  runtime { uptimeInSeconds ports { ip isIpPublic privatePort publicPort type }
    gpus { id gpuUtilPercent memoryUtilPercent } container { cpuPercent memoryPercent } }`;

export const CREATE_ON_DEMAND_MUTATION = runpodDocument<
  { podFindAndDeployOnDemand: Pod | null },
  { input: Record<string, unknown> }
>(`mutation CreatePod($input: PodFindAndDeployOnDemandInput!) {
  podFindAndDeployOnDemand(input: $input) { ${POD_FIELDS} } }`);
export const CREATE_SPOT_MUTATION = runpodDocument<
  { podRentInterruptable: Pod | null },
  { input: Record<string, unknown> }
>(`mutation CreateSpotPod($input: PodRentInterruptableInput!) {
  podRentInterruptable(input: $input) { ${POD_FIELDS} } }`);
export const POD_QUERY = runpodDocument<{ pod: Pod | null }, { podId: string }>(
  `query Pod($podId: String!) { pod(input: { podId: $podId }) { ${POD_FIELDS} } }`,
);
export const LIST_PODS_QUERY = runpodDocument<{ myself: { pods?: Pod[] | null } | null }>(
  `query Pods { myself { id pods { id name desiredStatus podType costPerHr createdAt env
  runtime { uptimeInSeconds } } } }`,
);
/** `podTerminate` answers null on success. */
export const TERMINATE_MUTATION = runpodDocument<{ podTerminate: null }, { podId: string }>(
  "mutation Terminate($podId: String!) { podTerminate(input: { podId: $podId }) }",
);
export const DATA_CENTERS_QUERY = runpodDocument<{ dataCenters: DataCenter[] | null }>(
  `query DataCenters { dataCenters { id name
  gpuAvailability { gpuTypeId stockStatus } } }`,
);
export const GPU_TYPES_QUERY = runpodDocument<{ gpuTypes: GpuType[] | null }>(
  `query GpuTypes { gpuTypes { id displayName memoryInGb secureCloud communityCloud
  securePrice communityPrice secureSpotPrice communitySpotPrice
  lowestPrice(input: { gpuCount: 1 }) { minimumBidPrice uninterruptablePrice stockStatus } } }`,
);

export interface PodRuntime {
  uptimeInSeconds?: number | null;
  ports?: Array<{
    ip: string;
    isIpPublic: boolean;
    privatePort: number;
    publicPort: number;
    type: string;
  }> | null;
  gpus?: Array<{ id: string; gpuUtilPercent?: number | null; memoryUtilPercent?: number | null }> | null;
  container?: { cpuPercent?: number | null; memoryPercent?: number | null } | null;
}

export interface Pod {
  id: string;
  name?: string | null;
  desiredStatus?: string | null;
  podType?: string | null;
  costPerHr?: number | null;
  gpuCount?: number | null;
  vcpuCount?: number | null;
  memoryInGb?: number | null;
  createdAt?: string | null;
  env?: string[] | null;
  machine?: { gpuDisplayName?: string | null; dataCenterId?: string | null } | null;
  runtime?: PodRuntime | null;
}

export interface DataCenter {
  id: string;
  name?: string | null;
  gpuAvailability?: Array<{ gpuTypeId?: string | null; stockStatus?: string | null }> | null;
}

export interface GpuType {
  id: string;
  displayName?: string | null;
  memoryInGb?: number | null;
  secureCloud?: boolean | null;
  communityCloud?: boolean | null;
  securePrice?: number | null;
  communityPrice?: number | null;
  secureSpotPrice?: number | null;
  communitySpotPrice?: number | null;
  lowestPrice?: {
    minimumBidPrice?: number | null;
    uninterruptablePrice?: number | null;
    stockStatus?: string | null;
  } | null;
}

export function podNameFor(jobId: string): string {
  return `${POD_NAME_PREFIX}${jobId}`;
}

/** The job id of one of our pods: its SMA_JOB_ID env entry, else its name. */
export function jobIdOfPod(pod: Pod): string | undefined {
  const fromEnv = pod.env?.find((e) => e.startsWith("SMA_JOB_ID="))?.slice("SMA_JOB_ID=".length);
  if (fromEnv) return fromEnv;
  return pod.name?.startsWith(POD_NAME_PREFIX) ? pod.name.slice(POD_NAME_PREFIX.length) : undefined;
}

/**
 * A RunPod compute type names the GPU and, optionally, the cloud: "NVIDIA RTX A5000/SECURE". A bare GPU id
 * uses `defaultCloud` (pods: SECURE, since they mount the network volume).
 */
export function parseComputeType(
  computeType: string,
  defaultCloud: CloudType,
): { gpuTypeId: string; cloudType: CloudType } {
  const [gpuTypeId, cloud] = computeType.split("/");
  const cloudType = cloud === "SECURE" || cloud === "COMMUNITY" || cloud === "ALL" ? cloud : defaultCloud;
  return { gpuTypeId: gpuTypeId.trim(), cloudType };
}

export function computeTypeOf(gpuTypeId: string, cloudType: CloudType): string {
  return `${gpuTypeId}/${cloudType}`;
}

export interface PodInputOptions {
  name: string;
  imageName: string;
  gpuTypeId: string;
  cloudType: CloudType;
  env: Record<string, string>;
  /** The network volume the pod mounts (Secure Cloud only, in the volume's data center). */
  networkVolumeId?: string;
  volumeMountPath?: string;
  /** RunPod's id of the registry credentials that pull a private image. */
  containerRegistryAuthId?: string;
  /** RunPod terminates the pod itself at this ISO time (the server-side backstop). */
  terminateAfter: string;
  containerDiskInGb: number;
  minVcpuCount: number;
  minMemoryInGb: number;
  dataCenterId?: string;
  /** Spot only: $/GPU/h, at least lowestPrice.minimumBidPrice. */
  bidPerGpu?: number;
}

/** The create input: explicit fields only (templates were seen not to apply them, runpod-api.md §7). */
export function podInput(o: PodInputOptions): Record<string, unknown> {
  return {
    name: o.name,
    imageName: o.imageName,
    gpuTypeId: o.gpuTypeId,
    gpuCount: 1,
    cloudType: o.cloudType,
    containerDiskInGb: o.containerDiskInGb,
    // No volume disk: it would keep billing after a stop; the job's files live on the network volume.
    volumeInGb: 0,
    minVcpuCount: o.minVcpuCount,
    minMemoryInGb: o.minMemoryInGb,
    dockerArgs: "",
    ports: "",
    supportPublicIp: false,
    startSsh: false,
    env: Object.entries(o.env).map(([key, value]) => ({ key, value })),
    terminateAfter: o.terminateAfter,
    dataCenterId: o.dataCenterId ?? null,
    ...(o.networkVolumeId ? { networkVolumeId: o.networkVolumeId, volumeMountPath: o.volumeMountPath } : {}),
    ...(o.containerRegistryAuthId ? { containerRegistryAuthId: o.containerRegistryAuthId } : {}),
    ...(o.bidPerGpu !== undefined ? { bidPerGpu: o.bidPerGpu } : {}),
  };
}

/** runpod-api.md §2: "initializing" until the container really runs (runtime with uptime or ports). */
export function isPodReady(pod: Pod): boolean {
  if (pod.desiredStatus !== "RUNNING" || !pod.runtime) return false;
  return (pod.runtime.uptimeInSeconds ?? 0) > 0 || (pod.runtime.ports?.length ?? 0) > 0;
}

export function isPodGone(pod: Pod | null | undefined): boolean {
  return !pod || pod.desiredStatus === "TERMINATED";
}

/** Stopped by a spot interruption: an interruptible pod that is EXITED (it still bills its disk). */
export function isInterrupted(pod: Pod | null | undefined): boolean {
  return pod?.podType === "INTERRUPTABLE" && pod.desiredStatus === "EXITED";
}

/** Capacity messages (runpod-api.md §1 table): nothing was created, try the next offer. */
const CAPACITY_PATTERNS = [
  /no longer any instances available/i,
  /not enough free GPUs/i,
  /does not have the resources to deploy/i,
  /Unable to find a machine with capacity/i,
];

export function isCapacityMessage(message: string): boolean {
  return CAPACITY_PATTERNS.some((p) => p.test(message));
}

/** "pod not found to terminate" and friends: the pod is already gone (dstack's idempotent terminate). */
export function isNotFoundMessage(message: string): boolean {
  return /not found|does not exist|no pod/i.test(message);
}
