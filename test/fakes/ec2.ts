/**
 * A fake EC2 behind aws-sdk-client-mock, for end-to-end tests: RunInstances "boots" an instance by running its
 * user data's worker container as a local process (the container's -e variables, plus the instance role's
 * credentials, which the test gives), idempotent by ClientToken; the instance powers off (terminates) when the
 * worker exits, as the user data's trap does, unless a test makes that fail; DescribeInstances filters by tag
 * and state like EC2; TerminateInstances stops the worker. A "bad AMI" instance never runs the worker: it
 * uploads a boot log and powers off.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeRegionsCommand,
  DescribeSpotPriceHistoryCommand,
  EC2Client,
  EC2ServiceException,
  type Instance,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";

const WORKER_ENTRY = fileURLToPath(new URL("../../src/worker/main.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");

export interface FakeInstance {
  id: string;
  clientToken: string;
  jobId: string;
  state: "pending" | "running" | "shutting-down" | "terminated";
  launchedAt: Date;
  endedAt?: Date;
  terminatedBy?: "self" | "api";
  tags: Array<{ Key?: string; Value?: string }>;
  instanceType: string;
  /** The container's environment, from the user data's `-e NAME='value'` flags. */
  env: Record<string, string>;
  child?: ChildProcess;
}

export interface FakeEc2Options {
  /** What the instance profile would give the worker: S3 credentials and endpoint settings. */
  roleEnv: Record<string, string>;
  /** Writes the instance's boot log where the user data's trap uploads it (jobs/{jobId}/instance.log). */
  uploadBootLog(jobId: string, text: string): Promise<void>;
}

export class FakeEc2 {
  readonly instances = new Map<string, FakeInstance>();
  /** The worker's exit does not power the instance off (the trap's shutdown fails). */
  shutdownFails = false;
  /** Instances boot an image without Docker: no worker runs, a boot log is uploaded, the instance ends. */
  badAmi = false;
  /** Instances boot but their worker is held (a job that runs until it is cancelled). */
  holdWorkers = false;
  private readonly mock = mockClient(EC2Client);

  constructor(private readonly options: FakeEc2Options) {
    this.install();
  }

  /** Instances that still exist and may bill. */
  live(): FakeInstance[] {
    return [...this.instances.values()].filter((i) => i.state === "pending" || i.state === "running");
  }

  /** Workers still running. */
  workers(): FakeInstance[] {
    return [...this.instances.values()].filter(
      (i) => i.child && i.child.exitCode === null && !i.child.killed,
    );
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.instances.values()].map(async (i) => {
        if (!i.child || i.child.exitCode !== null || i.child.signalCode !== null) return;
        const exited = new Promise((r) => i.child!.once("exit", r));
        i.child.kill("SIGKILL");
        await exited;
      }),
    );
    this.mock.restore();
  }

  private install(): void {
    const m = this.mock;
    m.on(RunInstancesCommand).callsFake((input: RunInstancesCommandInput) => this.run(input));
    m.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => this.describe(input));
    m.on(TerminateInstancesCommand).callsFake((input: { InstanceIds?: string[] }) => this.terminate(input));
    m.on(DescribeSpotPriceHistoryCommand).resolves({ SpotPriceHistory: [] });
    // The health probe's dry run: allowed.
    m.on(DescribeRegionsCommand).rejects(
      new EC2ServiceException({
        name: "DryRunOperation",
        message: "Request would have succeeded, but DryRun flag is set.",
        $fault: "client",
        $metadata: { httpStatusCode: 412 },
      }),
    );
  }

  private run(input: RunInstancesCommandInput) {
    const token = input.ClientToken ?? "";
    const known = [...this.instances.values()].find((i) => i.clientToken === token);
    if (known) return { Instances: [this.view(known)] };
    const tags = input.TagSpecifications?.find((t) => t.ResourceType === "instance")?.Tags ?? [];
    const script = Buffer.from(input.UserData ?? "", "base64").toString("utf8");
    const instance: FakeInstance = {
      id: `i-${randomBytes(8).toString("hex")}`,
      clientToken: token,
      jobId: tags.find((t) => t.Key === "jobId")?.Value ?? "",
      state: "pending",
      launchedAt: new Date(),
      tags,
      instanceType: String(input.InstanceType),
      env: containerEnv(script),
    };
    this.instances.set(instance.id, instance);
    setTimeout(() => void this.boot(instance), 100);
    return { Instances: [this.view(instance)] };
  }

  private async boot(instance: FakeInstance): Promise<void> {
    if (instance.state !== "pending") return;
    instance.state = "running";
    if (this.badAmi) {
      await this.options.uploadBootLog(
        instance.jobId,
        [
          "Cloud-init v. 22.2.2 running 'modules:final'",
          "docker: command not found",
          "worker exited with status 127",
        ].join("\n"),
      );
      this.end(instance, "self");
      return;
    }
    if (this.holdWorkers) return;
    const child = spawn(process.execPath, ["--import", TSX, WORKER_ENTRY], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        ...this.options.roleEnv,
        ...instance.env,
      },
      stdio: ["ignore", "ignore", process.env.FAKE_EC2_WORKER_STDERR ? "inherit" : "ignore"],
    });
    instance.child = child;
    child.once("exit", () => {
      // The user data's trap powers the instance off, which terminates it, unless that is made to fail.
      if (!this.shutdownFails) this.end(instance, "self");
    });
  }

  private end(instance: FakeInstance, by: "self" | "api"): void {
    if (instance.state === "terminated") return;
    instance.state = "terminated";
    instance.endedAt = new Date();
    instance.terminatedBy = by;
    if (instance.child && instance.child.exitCode === null) instance.child.kill("SIGTERM");
  }

  private terminate(input: { InstanceIds?: string[] }) {
    const changes = (input.InstanceIds ?? []).flatMap((id) => {
      const instance = this.instances.get(id);
      if (!instance) return [];
      const previous = instance.state;
      this.end(instance, "api");
      return [{ InstanceId: id, PreviousState: { Name: previous }, CurrentState: { Name: "terminated" } }];
    });
    return { TerminatingInstances: changes };
  }

  private describe(input: DescribeInstancesCommandInput) {
    const filters = new Map((input.Filters ?? []).map((f) => [f.Name ?? "", f.Values ?? []]));
    const matches = (i: FakeInstance) => {
      if (input.InstanceIds && !input.InstanceIds.includes(i.id)) return false;
      for (const [name, values] of filters) {
        if (name === "instance-state-name" && !values.includes(i.state)) return false;
        if (name.startsWith("tag:")) {
          const value = i.tags.find((t) => t.Key === name.slice(4))?.Value;
          if (!value || !values.includes(value)) return false;
        }
      }
      return true;
    };
    const found = [...this.instances.values()].filter(matches).map((i) => this.view(i));
    return { Reservations: found.length ? [{ Instances: found }] : [] };
  }

  private view(i: FakeInstance): Instance {
    const when = i.endedAt?.toISOString().replace("T", " ").slice(0, 19);
    return {
      InstanceId: i.id,
      InstanceType: i.instanceType as Instance["InstanceType"],
      LaunchTime: i.launchedAt,
      State: { Name: i.state },
      Tags: i.tags,
      ...(when ? { StateTransitionReason: `User initiated (${when} GMT)` } : {}),
    };
  }
}

/** The container's environment: each `-e NAME='value'` flag of the user data's `docker run`. */
export function containerEnv(script: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of script.matchAll(/^\s+-e ([A-Z0-9_]+)='((?:[^']|'\\'')*)' \\$/gm)) {
    env[match[1]] = match[2].replaceAll(`'\\''`, "'");
  }
  return env;
}
