/**
 * The GraphQL schema of the fake, written from runpod-api.md §1–§3 (types and fields seen in the official
 * clients). Queries our client sends are validated against it, so a misspelt field or a wrong input type
 * fails here with HTTP 400, as it would on the real API. Stop/resume/terminate input type names are not
 * confirmed; clients pass inline `{podId: $podId}` objects, which work whatever the names are.
 */
import { buildSchema } from "graphql";

export const SDL = `
  scalar Void
  enum CloudTypeEnum { ALL SECURE COMMUNITY }
  enum PodStatus { CREATED RUNNING RESTARTING EXITED PAUSED DEAD TERMINATED }

  input EnvironmentVariableInput { key: String! value: String! }

  input PodFindAndDeployOnDemandInput {
    cloudType: CloudTypeEnum gpuTypeId: String gpuCount: Int name: String imageName: String templateId: String
    containerDiskInGb: Int volumeInGb: Int volumeMountPath: String minVcpuCount: Int minMemoryInGb: Int
    dockerArgs: String ports: String env: [EnvironmentVariableInput] networkVolumeId: String dataCenterId: String
    countryCode: String supportPublicIp: Boolean startSsh: Boolean startJupyter: Boolean
    allowedCudaVersions: [String] minCudaVersion: String minDownload: Int minUpload: Int
    containerRegistryAuthId: String stopAfter: String terminateAfter: String compliance: [String]
    volumeKey: String deployCost: Float
  }
  input PodRentInterruptableInput {
    bidPerGpu: Float!
    cloudType: CloudTypeEnum gpuTypeId: String gpuCount: Int name: String imageName: String templateId: String
    containerDiskInGb: Int volumeInGb: Int volumeMountPath: String minVcpuCount: Int minMemoryInGb: Int
    dockerArgs: String ports: String env: [EnvironmentVariableInput] networkVolumeId: String dataCenterId: String
    countryCode: String supportPublicIp: Boolean startSsh: Boolean startJupyter: Boolean
    allowedCudaVersions: [String] minCudaVersion: String minDownload: Int minUpload: Int
    containerRegistryAuthId: String stopAfter: String terminateAfter: String compliance: [String] volumeKey: String
  }
  input PodFilter { podId: String! }
  input PodStopInput { podId: String! }
  input PodResumeInput { podId: String! gpuCount: Int allowedCudaVersions: [String] }
  input PodBidResumeInput { podId: String! bidPerGpu: Float! gpuCount: Int }
  input PodTerminateInput { podId: String! }
  input GpuTypeFilter { id: String }
  input GpuLowestPriceInput { gpuCount: Int! minMemoryInGb: Int minVcpuCount: Int secureCloud: Boolean totalDisk: Int }

  type LowestPrice {
    minimumBidPrice: Float uninterruptablePrice: Float minVcpu: Int minMemory: Int stockStatus: String
    availableGpuCounts: [Int] gpuName: String gpuTypeId: String
  }
  type GpuType {
    id: String! displayName: String manufacturer: String memoryInGb: Int cudaCores: Int maxGpuCount: Int
    secureCloud: Boolean communityCloud: Boolean securePrice: Float communityPrice: Float
    secureSpotPrice: Float communitySpotPrice: Float oneWeekPrice: Float oneMonthPrice: Float threeMonthPrice: Float
    lowestPrice(input: GpuLowestPriceInput): LowestPrice
  }
  type Port { ip: String isIpPublic: Boolean privatePort: Int publicPort: Int type: String }
  type RuntimeGpu { id: String gpuUtilPercent: Int memoryUtilPercent: Int }
  type RuntimeContainer { cpuPercent: Int memoryPercent: Int }
  type PodRuntime { uptimeInSeconds: Int ports: [Port] gpus: [RuntimeGpu] container: RuntimeContainer }
  type Machine {
    podHostId: String gpuDisplayName: String location: String dataCenterId: String costPerHr: Float
    secureCloud: Boolean gpuTypeId: String
  }
  type Pod {
    id: String! name: String imageName: String dockerArgs: String dockerId: String templateId: String podType: String
    desiredStatus: PodStatus lastStatusChange: String costPerHr: Float adjustedCostPerHr: Float gpuCount: Int
    vcpuCount: Int memoryInGb: Int containerDiskInGb: Int volumeInGb: Int volumeMountPath: String env: [String]
    ports: String port: Int machineId: String locked: Boolean networkVolumeId: String createdAt: String
    uptimeSeconds: Int machine: Machine runtime: PodRuntime
  }
  type NetworkVolume { id: String! name: String size: Int dataCenterId: String }
  type GpuAvailability { gpuTypeId: String displayName: String stockStatus: String }
  type DataCenter { id: String! name: String location: String gpuAvailability: [GpuAvailability] }
  type User {
    id: String! email: String clientBalance: Float currentSpendPerHr: Float spendLimit: Float pubKey: String
    pods: [Pod] networkVolumes: [NetworkVolume]
  }
  type Query {
    myself: User
    pod(input: PodFilter!): Pod
    gpuTypes(input: GpuTypeFilter): [GpuType]
    dataCenters: [DataCenter]
  }
  type Mutation {
    podFindAndDeployOnDemand(input: PodFindAndDeployOnDemandInput): Pod
    podRentInterruptable(input: PodRentInterruptableInput!): Pod
    podStop(input: PodStopInput!): Pod
    podResume(input: PodResumeInput!): Pod
    podBidResume(input: PodBidResumeInput!): Pod
    podTerminate(input: PodTerminateInput!): Void
  }
`;

export const SCHEMA = buildSchema(SDL);

export interface CatalogGpu {
  id: string;
  displayName: string;
  memoryInGb: number;
  secureCloud: boolean;
  communityCloud: boolean;
  securePrice: number | null;
  communityPrice: number | null;
  secureSpotPrice: number | null;
  communitySpotPrice: number | null;
  stockStatus: string | null;
  /** Stock in the account volume's data center (`dataCenters`), when it differs from the global one. */
  dataCenterStock?: string | null;
}

/** Fake defaults from the table in runpod-api.md §3, plus the "unknown" sentinel every tool filters out. */
export function defaultCatalog(): CatalogGpu[] {
  const gpu = (
    id: string,
    displayName: string,
    memoryInGb: number,
    community: number | null,
    secure: number | null,
    stockStatus: string | null = "High",
  ): CatalogGpu => ({
    id,
    displayName,
    memoryInGb,
    communityCloud: community !== null,
    secureCloud: secure !== null,
    communityPrice: community,
    securePrice: secure,
    communitySpotPrice: community === null ? null : Math.round(community * 60) / 100,
    secureSpotPrice: secure === null ? null : Math.round(secure * 60) / 100,
    stockStatus,
  });
  return [
    gpu("NVIDIA GeForce RTX 3090", "RTX 3090", 24, 0.22, 0.46),
    gpu("NVIDIA RTX A5000", "RTX A5000", 24, 0.27, 0.29),
    gpu("NVIDIA GeForce RTX 4090", "RTX 4090", 24, 0.34, 0.44),
    gpu("NVIDIA L4", "L4", 24, 0.44, 0.49),
    gpu("NVIDIA A100 80GB PCIe", "A100 PCIe", 80, 1.19, 1.39, "Low"),
    gpu("NVIDIA H100 80GB HBM3", "H100 SXM", 80, 2.69, 3.29, null),
    gpu("unknown", "unknown", 0, 0, 0),
  ];
}
