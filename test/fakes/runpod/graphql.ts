/**
 * The fake's GraphQL resolvers (runpod-api.md §2–§3 and the checklist): account, pods, GPU catalog, and the
 * pod mutations with the validation the real API does. Business errors are GraphQLErrors, so they come back
 * as HTTP 200 with an `errors` array and the field null, as on the real API.
 */
import { randomBytes } from "node:crypto";
import { GraphQLError } from "graphql";
import type { FaultQueue } from "./faults.js";
import type { FakePod, PodLedger } from "./pods.js";
import type { CatalogGpu } from "./schema.js";

export const NO_CAPACITY =
  "There are no longer any instances available with the requested specifications. Please refresh and try again.";

export interface FakeAccount {
  id: string;
  email: string;
  clientBalance: number;
  spendLimit: number;
  networkVolumes: Array<{ id: string; name: string; size: number; dataCenterId: string }>;
}

/** Who is calling: the account's key, or a pod's scoped key (it may only read and terminate its own pod). */
export type Caller = { kind: "account" } | { kind: "pod"; podId: string };

export interface GraphqlState {
  account: FakeAccount;
  catalog: CatalogGpu[];
  ledger: PodLedger;
  faults: FaultQueue;
}

interface CreateInput {
  cloudType?: "ALL" | "SECURE" | "COMMUNITY";
  gpuTypeId?: string;
  gpuCount?: number;
  name?: string;
  imageName?: string;
  templateId?: string;
  containerDiskInGb?: number;
  minVcpuCount?: number;
  minMemoryInGb?: number;
  env?: Array<{ key: string; value: string }>;
  networkVolumeId?: string;
  volumeMountPath?: string;
  dataCenterId?: string | null;
  containerRegistryAuthId?: string;
  terminateAfter?: string;
  bidPerGpu?: number;
}

function businessError(message: string, code = "BAD_USER_INPUT"): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

export function rootValue(state: GraphqlState, caller: Caller) {
  const onlyAccount = () => {
    if (caller.kind !== "account") throw businessError("Unauthorized", "UNAUTHENTICATED");
  };
  return {
    myself: () => {
      onlyAccount();
      const pods = state.ledger.visible();
      return {
        ...state.account,
        currentSpendPerHr: pods
          .filter((p) => p.desiredStatus === "RUNNING")
          .reduce((s, p) => s + p.costPerHr, 0),
        pubKey: null,
        pods: pods.map(podView),
      };
    },
    pod: ({ input }: { input: { podId: string } }) => {
      if (caller.kind === "pod" && caller.podId !== input.podId)
        throw businessError("Unauthorized", "UNAUTHENTICATED");
      const pod = state.ledger.get(input.podId);
      return pod ? podView(pod) : null;
    },
    gpuTypes: ({ input }: { input?: { id?: string } }) =>
      state.catalog.filter((g) => !input?.id || g.id === input.id).map(gpuTypeView),
    dataCenters: () => [
      {
        id: "EU-RO-1",
        name: "Romania",
        location: "RO",
        gpuAvailability: state.catalog.map((g) => ({
          gpuTypeId: g.id,
          displayName: g.displayName,
          stockStatus: g.dataCenterStock === undefined ? g.stockStatus : g.dataCenterStock,
        })),
      },
    ],
    podFindAndDeployOnDemand: ({ input }: { input: CreateInput }) => {
      onlyAccount();
      return podView(createPod(state, input, false));
    },
    podRentInterruptable: ({ input }: { input: CreateInput }) => {
      onlyAccount();
      return podView(createPod(state, input, true));
    },
    podStop: ({ input }: { input: { podId: string } }) => {
      onlyAccount();
      const pod = state.ledger.get(input.podId);
      if (!pod) throw businessError("pod not found");
      state.ledger.interrupt(pod.id);
      return podView(pod);
    },
    podTerminate: ({ input }: { input: { podId: string } }) => {
      if (caller.kind === "pod" && caller.podId !== input.podId)
        throw businessError("Unauthorized", "UNAUTHENTICATED");
      if (!state.ledger.get(input.podId)) throw businessError("pod not found to terminate");
      state.ledger.terminate(input.podId, caller.kind === "pod" ? "self" : "api");
      return null;
    },
  };
}

function createPod(state: GraphqlState, input: CreateInput, spot: boolean): FakePod {
  if (!input.imageName && !input.templateId) throw businessError("imageName or templateId is required");
  const gpu = state.catalog.find((g) => g.id === input.gpuTypeId && g.id !== "unknown");
  if (!gpu) throw businessError(`No GPU found with the specified ID: ${input.gpuTypeId}`);
  const cloud = pickCloud(gpu, input.cloudType ?? "ALL");
  const volume = state.account.networkVolumes.find((v) => v.id === input.networkVolumeId);
  if (
    input.networkVolumeId &&
    (!volume || cloud !== "SECURE" || (input.dataCenterId && input.dataCenterId !== volume.dataCenterId))
  ) {
    throw businessError(NO_CAPACITY); // network volumes: Secure Cloud in their own data center only
  }
  const capacity = state.faults.take(
    "capacity",
    (f) => (!f.gpuTypeId || f.gpuTypeId === gpu.id) && (!f.cloudType || f.cloudType === cloud),
  );
  if (!cloud || capacity || gpu.stockStatus === null) throw businessError(NO_CAPACITY);
  const onDemand = (cloud === "SECURE" ? gpu.securePrice : gpu.communityPrice) ?? 0;
  const minimumBid = (cloud === "SECURE" ? gpu.secureSpotPrice : gpu.communitySpotPrice) ?? 0;
  if (spot && (!minimumBid || (input.bidPerGpu ?? 0) < minimumBid)) {
    throw businessError(`Your bid is below the minimum bid price of ${minimumBid}.`);
  }
  const gpuCount = input.gpuCount ?? 1;
  const costPerHr = Math.round((spot ? (input.bidPerGpu ?? minimumBid) : onDemand) * gpuCount * 1000) / 1000;
  if (state.account.clientBalance < costPerHr) {
    throw businessError("You need at least one hour's worth of credits to deploy this pod.");
  }
  const interruption = spot ? state.faults.take("spot-interruption") : undefined;
  return state.ledger.add({
    name: input.name ?? input.imageName ?? "pod",
    imageName: input.imageName ?? "",
    gpuTypeId: gpu.id,
    gpuDisplayName: gpu.displayName,
    cloudType: cloud,
    podType: spot ? "INTERRUPTABLE" : "RESERVED",
    costPerHr,
    env: Object.fromEntries((input.env ?? []).map((e) => [e.key, e.value])),
    vcpuCount: Math.max(input.minVcpuCount ?? 1, 4),
    memoryInGb: Math.max(input.minMemoryInGb ?? 1, 16),
    containerDiskInGb: input.containerDiskInGb ?? 10,
    terminateAfter: input.terminateAfter ? new Date(input.terminateAfter) : undefined,
    networkVolumeId: volume?.id,
    volumeMountPath: volume ? (input.volumeMountPath ?? "/runpod-volume") : undefined,
    dataCenterId: volume?.dataCenterId ?? input.dataCenterId ?? "EU-RO-1",
    containerRegistryAuthId: input.containerRegistryAuthId,
    stuck: Boolean(state.faults.take("runtime-never-appears")),
    diesAfterMs: state.faults.take("pod-dies")?.afterMs,
    interruptAfterMs: interruption?.afterMs,
  });
}

function pickCloud(
  gpu: CatalogGpu,
  wanted: "ALL" | "SECURE" | "COMMUNITY",
): "SECURE" | "COMMUNITY" | undefined {
  if (wanted === "SECURE") return gpu.secureCloud ? "SECURE" : undefined;
  if (wanted === "COMMUNITY") return gpu.communityCloud ? "COMMUNITY" : undefined;
  return gpu.communityCloud ? "COMMUNITY" : gpu.secureCloud ? "SECURE" : undefined;
}

export function podView(p: FakePod) {
  const running = p.desiredStatus === "RUNNING" && p.running && p.runtimeStartedAt;
  return {
    id: p.id,
    name: p.name,
    imageName: p.imageName,
    podType: p.podType,
    desiredStatus: p.desiredStatus,
    lastStatusChange: `Rented by User: ${p.createdAt.toString()}`,
    costPerHr: p.costPerHr,
    adjustedCostPerHr: p.costPerHr,
    gpuCount: 1,
    vcpuCount: p.vcpuCount,
    memoryInGb: p.memoryInGb,
    containerDiskInGb: p.containerDiskInGb,
    volumeInGb: 0,
    env: Object.entries(p.env).map(([k, v]) => `${k}=${v}`),
    networkVolumeId: p.networkVolumeId ?? null,
    volumeMountPath: p.volumeMountPath ?? null,
    machineId: p.machineId,
    createdAt: p.createdAt.toISOString(),
    uptimeSeconds: 0, // runpod-api.md §7: the legacy field always reads 0
    machine: {
      podHostId: `${p.id}-${randomBytes(4).toString("hex")}`,
      gpuDisplayName: p.gpuDisplayName,
      location: "RO",
      dataCenterId: p.dataCenterId ?? "EU-RO-1",
      costPerHr: p.costPerHr,
      secureCloud: p.cloudType === "SECURE",
      gpuTypeId: p.gpuTypeId,
    },
    runtime: running
      ? {
          uptimeInSeconds: Math.max(1, Math.ceil((Date.now() - p.runtimeStartedAt!.getTime()) / 1000)),
          ports: [],
          gpus: [{ id: `GPU-${p.machineId}`, gpuUtilPercent: 37, memoryUtilPercent: 12 }],
          container: { cpuPercent: 85, memoryPercent: 20 },
        }
      : null,
  };
}

function gpuTypeView(g: CatalogGpu) {
  return {
    ...g,
    manufacturer: "Nvidia",
    maxGpuCount: 8,
    lowestPrice: ({ input }: { input?: { secureCloud?: boolean } }) => {
      const secure = input?.secureCloud;
      const onDemand =
        secure === true
          ? g.securePrice
          : secure === false
            ? g.communityPrice
            : (g.communityPrice ?? g.securePrice);
      const bid =
        secure === true
          ? g.secureSpotPrice
          : secure === false
            ? g.communitySpotPrice
            : (g.communitySpotPrice ?? g.secureSpotPrice);
      return {
        minimumBidPrice: bid,
        uninterruptablePrice: onDemand,
        stockStatus: g.stockStatus,
        availableGpuCounts: g.stockStatus ? [1, 2, 4] : [],
        gpuName: g.displayName,
        gpuTypeId: g.id,
      };
    },
  };
}
