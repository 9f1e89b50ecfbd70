/**
 * EC2 request builders and response readers (no client, no I/O), so their exact shape can be tested alone.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html
 */
import type {
  DescribeInstancesCommandInput,
  Instance,
  RunInstancesCommandInput,
  Tag,
} from "@aws-sdk/client-ec2";

/** Every resource we create carries this tag; the reconciler lists by it. */
export const APP_TAG_KEY = "app";
export const APP_TAG_VALUE = "statistical-modeling-agent";
export const NAME_PREFIX = "sma-";

export type Market = "spot" | "on-demand";

export interface LaunchRequest {
  jobId: string;
  userId: number;
  instanceType: string;
  amiId: string;
  /** IAM instance profile name, or its ARN. */
  instanceProfile: string;
  userDataBase64: string;
  market: Market;
  /** ClientToken: makes RunInstances idempotent (the same token never launches twice). */
  clientToken: string;
  /** Dollars per hour captured at launch, kept as a tag so a restarted bot can still cost the job. */
  hourlyRate: number;
  deadline: string;
  securityGroupIds?: string[];
  subnetId?: string;
  keyName?: string;
  /** Spot only: the most we pay per hour (default: the on-demand price). */
  spotMaxPrice?: number;
}

/**
 * The ClientToken of a job's n-th machine: the job id itself for the first (a retried or repeated launch
 * returns the same instance), a suffix for relaunches after a spot interruption. A failed RunInstances does
 * not consume its token, so the on-demand fallback and the next offer may reuse the job id.
 */
export function clientTokenFor(jobId: string, relaunch = 0): string {
  if (relaunch === 0) return jobId;
  const suffix = `-r${relaunch}`;
  return `${jobId.slice(0, 64 - suffix.length)}${suffix}`; // EC2 allows 64 ASCII characters
}

export function jobTags(
  r: Pick<LaunchRequest, "jobId" | "userId" | "hourlyRate" | "market" | "deadline">,
): Tag[] {
  return [
    { Key: "Name", Value: `${NAME_PREFIX}${r.jobId}` },
    { Key: APP_TAG_KEY, Value: APP_TAG_VALUE },
    { Key: "userId", Value: String(r.userId) },
    { Key: "jobId", Value: r.jobId },
    { Key: "hourlyRate", Value: String(r.hourlyRate) },
    { Key: "market", Value: r.market },
    { Key: "deadline", Value: r.deadline },
  ];
}

export function runInstancesInput(r: LaunchRequest): RunInstancesCommandInput {
  const tags = jobTags(r);
  const profile = r.instanceProfile.startsWith("arn:")
    ? { Arn: r.instanceProfile }
    : { Name: r.instanceProfile };
  return {
    ImageId: r.amiId,
    InstanceType: r.instanceType as RunInstancesCommandInput["InstanceType"],
    MinCount: 1,
    MaxCount: 1,
    ClientToken: r.clientToken,
    UserData: r.userDataBase64,
    IamInstanceProfile: profile,
    // A power-off from inside (the user-data trap, the deadline backstop) terminates the instance.
    InstanceInitiatedShutdownBehavior: "terminate",
    // IMDSv2 only; hop limit 2 so the worker container can reach the instance role's credentials.
    MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 2 },
    TagSpecifications: [
      { ResourceType: "instance", Tags: tags },
      { ResourceType: "volume", Tags: tags },
    ],
    ...(r.securityGroupIds?.length ? { SecurityGroupIds: r.securityGroupIds } : {}),
    ...(r.subnetId ? { SubnetId: r.subnetId } : {}),
    ...(r.keyName ? { KeyName: r.keyName } : {}),
    ...(r.market === "spot"
      ? {
          InstanceMarketOptions: {
            MarketType: "spot",
            SpotOptions: {
              SpotInstanceType: "one-time",
              InstanceInterruptionBehavior: "terminate",
              ...(r.spotMaxPrice !== undefined ? { MaxPrice: r.spotMaxPrice.toFixed(4) } : {}),
            },
          },
        }
      : {}),
  };
}

const ALL_STATES = ["pending", "running", "shutting-down", "stopping", "stopped", "terminated"];
const LIVE_STATES = ["pending", "running", "stopping", "stopped"];

/** Every instance of one job, in any state (terminated ones stay visible for about an hour). */
export function jobInstancesInput(jobId: string): DescribeInstancesCommandInput {
  return {
    Filters: [
      { Name: `tag:${APP_TAG_KEY}`, Values: [APP_TAG_VALUE] },
      { Name: "tag:jobId", Values: [jobId] },
      { Name: "instance-state-name", Values: ALL_STATES },
    ],
  };
}

/** Every instance of ours that still exists (and may bill): what the reconciler looks at. */
export function liveAppInstancesInput(nextToken?: string): DescribeInstancesCommandInput {
  return {
    Filters: [
      { Name: `tag:${APP_TAG_KEY}`, Values: [APP_TAG_VALUE] },
      { Name: "instance-state-name", Values: LIVE_STATES },
    ],
    MaxResults: 500,
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

export function tagOf(instance: Instance, key: string): string | undefined {
  return instance.Tags?.find((t) => t.Key === key)?.Value;
}

export function stateOf(instance: Instance): string {
  return instance.State?.Name ?? "unknown";
}

/** shutting-down and terminated instances no longer bill compute. */
export function isGone(instance: Instance): boolean {
  const state = stateOf(instance);
  return state === "shutting-down" || state === "terminated";
}

/** AWS took a spot instance back (StateReason "Server.SpotInstanceTermination"). */
export function wasSpotInterrupted(instance: Instance): boolean {
  return instance.StateReason?.Code === "Server.SpotInstanceTermination";
}

/**
 * When the instance stopped billing, from StateTransitionReason "User initiated (2026-11-28 12:00:00 GMT)";
 * undefined when AWS gives no time.
 */
export function transitionTimeOf(instance: Instance): string | undefined {
  const match = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) GMT\)/.exec(instance.StateTransitionReason ?? "");
  return match ? new Date(`${match[1]}T${match[2]}Z`).toISOString() : undefined;
}

/** Spot errors after which the same job is launched on-demand instead (capacity or price, nothing else). */
export const SPOT_FALLBACK_CODES: ReadonlySet<string> = new Set([
  "InsufficientInstanceCapacity",
  "InsufficientCapacity",
  "SpotMaxPriceTooLow",
  "MaxSpotInstanceCountExceeded",
  "InsufficientHostCapacity",
  "Unsupported",
]);

/** Launch errors that mean "no machine for this offer now": the next offer is tried. */
export const CAPACITY_CODES: ReadonlySet<string> = new Set([
  "InsufficientInstanceCapacity",
  "InsufficientCapacity",
  "InsufficientHostCapacity",
  "VcpuLimitExceeded",
  "InstanceLimitExceeded",
]);

/** The AWS error code of an SDK error (`name`, or `Code` on older shapes). */
export function awsCodeOf(error: unknown): string {
  const e = error as { name?: string; Code?: string; code?: string };
  return e?.Code ?? e?.name ?? e?.code ?? "Unknown";
}
