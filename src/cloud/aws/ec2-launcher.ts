/**
 * Starting one EC2 instance for a job: the rate captured at launch, the user data, RunInstances with the
 * job's client token, spot with automatic on-demand fallback on capacity or price errors, and errors that say
 * what AWS said (InstanceLaunchError 3002 with the AWS code and reason).
 */
import { type EC2Client, type Instance, RunInstancesCommand } from "@aws-sdk/client-ec2";
import type { Logger } from "pino";
import { AppError, InstanceLaunchError } from "../../errors.js";
import type { TrainJobSpec } from "../job-spec.js";
import { EC2_INSTANCE_TYPES } from "../pricing.js";
import {
  awsCodeOf,
  CAPACITY_CODES,
  clientTokenFor,
  isGone,
  type Market,
  runInstancesInput,
  SPOT_FALLBACK_CODES,
  tagOf,
} from "./ec2-requests.js";
import type { Ec2OfferSource } from "./offers.js";
import { encodeUserData, renderUserData } from "./user-data.js";

export interface Ec2LaunchSettings {
  region: string;
  amiId: string;
  instanceProfile: string;
  securityGroupIds: string[];
  subnetId?: string;
  keyName?: string;
  spotMaxPrice?: number;
  workerImage: string;
  bucket: string;
  s3Endpoint?: string;
  s3ForcePathStyle?: boolean;
  s3ChecksumWhenRequired?: boolean;
  kmsKeyId?: string;
}

export interface LaunchedInstance {
  instance: Instance;
  market: Market;
  /** Dollars per hour captured at launch. */
  hourlyRate: number;
}

export interface Ec2LauncherDeps {
  ec2: EC2Client;
  settings: Ec2LaunchSettings;
  offers: Ec2OfferSource;
  logger: Logger;
  now: () => Date;
  /** The spec's URI, which the worker reads. */
  specUri: (jobId: string) => string;
  /** Every instance of the job (for the "an earlier call succeeded after all" case). */
  describeJob: (jobId: string, signal?: AbortSignal) => Promise<Instance[]>;
}

/** The hourly rate a tag recorded at launch, else the static on-demand price. */
export function rateOf(instance: Instance): number {
  const tagged = Number(tagOf(instance, "hourlyRate"));
  if (Number.isFinite(tagged) && tagged > 0) return tagged;
  return EC2_INSTANCE_TYPES[instance.InstanceType ?? ""]?.onDemandHourly ?? 0;
}

export class Ec2Launcher {
  constructor(private readonly d: Ec2LauncherDeps) {}

  /** Spot first when asked (falling back to on-demand on capacity or price errors), else on-demand. */
  async launch(
    spec: TrainJobSpec,
    instanceType: string,
    spot: boolean,
    relaunch: number,
    signal?: AbortSignal,
  ): Promise<LaunchedInstance> {
    if (!EC2_INSTANCE_TYPES[instanceType]) {
      throw new InstanceLaunchError(`Unknown instance type ${instanceType}.`, { instanceType });
    }
    if (spot) {
      try {
        return await this.runInstance(spec, instanceType, "spot", relaunch, signal);
      } catch (error) {
        if (!SPOT_FALLBACK_CODES.has(awsCodeOf(error))) throw this.launchError(error, instanceType, "spot");
        this.d.logger.warn(
          { jobId: spec.jobId, code: awsCodeOf(error) },
          "spot launch refused; launching on-demand",
        );
      }
    }
    try {
      return await this.runInstance(spec, instanceType, "on-demand", relaunch, signal);
    } catch (error) {
      throw this.launchError(error, instanceType, "on-demand");
    }
  }

  private async rateFor(instanceType: string, market: Market): Promise<number> {
    const onDemand = EC2_INSTANCE_TYPES[instanceType].onDemandHourly;
    if (market === "on-demand") return onDemand;
    return (await this.d.offers.spotPriceFor(instanceType).catch(() => undefined)) ?? onDemand;
  }

  private async runInstance(
    spec: TrainJobSpec,
    instanceType: string,
    market: Market,
    relaunch: number,
    signal?: AbortSignal,
  ): Promise<LaunchedInstance> {
    const s = this.d.settings;
    const hourlyRate = await this.rateFor(instanceType, market);
    const script = renderUserData({
      jobId: spec.jobId,
      region: s.region,
      image: s.workerImage,
      specUri: this.d.specUri(spec.jobId),
      bucket: s.bucket,
      s3Endpoint: s.s3Endpoint,
      s3ForcePathStyle: s.s3ForcePathStyle,
      s3ChecksumWhenRequired: s.s3ChecksumWhenRequired,
      kmsKeyId: s.kmsKeyId,
      maxRuntimeSeconds: (Date.parse(spec.deadline) - this.d.now().getTime()) / 1000,
    });
    const input = runInstancesInput({
      jobId: spec.jobId,
      userId: spec.userId,
      instanceType,
      amiId: s.amiId,
      instanceProfile: s.instanceProfile,
      userDataBase64: encodeUserData(script),
      market,
      clientToken: clientTokenFor(spec.jobId, relaunch),
      hourlyRate,
      deadline: spec.deadline,
      securityGroupIds: s.securityGroupIds,
      subnetId: s.subnetId,
      keyName: s.keyName,
      spotMaxPrice:
        market === "spot" ? (s.spotMaxPrice ?? EC2_INSTANCE_TYPES[instanceType].onDemandHourly) : undefined,
    });
    try {
      const out = await this.d.ec2.send(new RunInstancesCommand(input), { abortSignal: signal });
      const instance = out.Instances?.[0];
      if (!instance?.InstanceId) {
        throw new InstanceLaunchError("EC2 accepted the launch but returned no instance.", {});
      }
      return { instance, market, hourlyRate };
    } catch (error) {
      // Same token, other parameters: an earlier call succeeded after all. Use what it created.
      if (awsCodeOf(error) !== "IdempotentParameterMismatch") throw error;
      const existing = (await this.d.describeJob(spec.jobId, signal)).find((i) => !isGone(i));
      if (!existing) throw error;
      const existingMarket = (tagOf(existing, "market") as Market | undefined) ?? market;
      return { instance: existing, market: existingMarket, hourlyRate: rateOf(existing) };
    }
  }

  private launchError(error: unknown, instanceType: string, market: Market): Error {
    if (error instanceof AppError || (error as Error)?.name === "AbortError") return error as Error;
    const code = awsCodeOf(error);
    const reason = (error as Error)?.message ?? code;
    const what = `${instanceType} (${market}) in ${this.d.settings.region}`;
    const message = CAPACITY_CODES.has(code)
      ? `AWS has no capacity for ${what} right now (${code}).`
      : `AWS refused to launch ${what}: ${code}: ${reason}`;
    return new InstanceLaunchError(
      message,
      { awsCode: code, reason, instanceType, market },
      { cause: error },
    );
  }
}
