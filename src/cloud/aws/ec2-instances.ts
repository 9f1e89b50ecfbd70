/**
 * Reading and terminating our EC2 instances: a job's instances by tag, every live instance of the app (for the
 * reconciler), and a termination that resolves only once AWS reports the instances shutting-down or
 * terminated, which is when compute billing stops.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TerminateInstances.html
 */
import {
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { RetryLaterError } from "../../errors.js";
import type { OwnedCompute } from "../reconciler.js";
import { awsCodeOf, isGone, jobInstancesInput, liveAppInstancesInput, tagOf } from "./ec2-requests.js";

/** Every instance of a job in any state, oldest first. */
export async function describeJobInstances(
  ec2: EC2Client,
  jobId: string,
  signal?: AbortSignal,
): Promise<Instance[]> {
  const out = await ec2.send(new DescribeInstancesCommand(jobInstancesInput(jobId)), { abortSignal: signal });
  const instances = out.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
  return instances.sort((a, b) => (a.LaunchTime?.getTime() ?? 0) - (b.LaunchTime?.getTime() ?? 0));
}

/** Every instance tagged by this app that still exists and may bill. */
export async function listOwnedInstances(ec2: EC2Client, signal?: AbortSignal): Promise<OwnedCompute[]> {
  const owned: OwnedCompute[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeInstancesCommand(liveAppInstancesInput(token)), {
      abortSignal: signal,
    });
    for (const i of page.Reservations?.flatMap((r) => r.Instances ?? []) ?? []) {
      owned.push({
        provider: "aws",
        resourceId: i.InstanceId!,
        jobId: tagOf(i, "jobId"),
        name: tagOf(i, "Name"),
        launchedAt: i.LaunchTime?.toISOString(),
      });
    }
    token = page.NextToken || undefined;
  } while (token);
  return owned;
}

export interface TerminateWait {
  pollIntervalMs: number;
  /** After this, RetryLaterError: the caller asks again later. */
  timeoutMs: number;
}

/** TerminateInstances, then waits for shutting-down/terminated. "Not found" counts as done. */
export async function terminateAndWait(
  ec2: EC2Client,
  instanceIds: string[],
  wait: TerminateWait,
): Promise<void> {
  if (instanceIds.length === 0) return;
  try {
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds }));
  } catch (error) {
    if (awsCodeOf(error) === "InvalidInstanceID.NotFound") return;
    throw error;
  }
  const until = Date.now() + wait.timeoutMs;
  for (;;) {
    const pending = await stillRunning(ec2, instanceIds);
    if (pending.length === 0) return;
    if (Date.now() >= until) {
      throw new RetryLaterError("AWS has not confirmed the termination yet.", { instanceIds: pending });
    }
    await new Promise((resolve) => setTimeout(resolve, wait.pollIntervalMs));
  }
}

async function stillRunning(ec2: EC2Client, instanceIds: string[]): Promise<string[]> {
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
    const instances = out.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    return instances.filter((i) => !isGone(i)).map((i) => i.InstanceId!);
  } catch (error) {
    if (awsCodeOf(error) === "InvalidInstanceID.NotFound") return [];
    throw error;
  }
}
