/**
 * One mapping from "what the worker wrote" plus "what the provider says about the machine" to the seed's
 * TrainingStatus, shared by EC2 and RunPod so both report the same words for the same situation.
 */
import { CloudTrainingError } from "../errors.js";
import type { ChannelSnapshot } from "./job-channel.js";
import { type TrainingStatus, trainingStatusOf } from "./provider-interface.js";

/** The provider's view of the job's compute. */
export type ComputeState =
  /** Created but not running our worker yet: booting, pulling the image. */
  | { kind: "starting"; message: string }
  | { kind: "running" }
  /** Relaunching after a spot interruption. */
  | { kind: "relaunching"; message: string }
  /** Gone, or stopped, without the worker having written a result. */
  | { kind: "gone"; reason: string };

export interface StatusInputs {
  jobId: string;
  snapshot: ChannelSnapshot;
  compute: ComputeState;
  logs: string[];
  costSoFar: number;
  runtimeSeconds: number;
}

const LOG_LINES = 10;

export function trainingStatusFrom(inputs: StatusInputs): TrainingStatus {
  const { snapshot, compute } = inputs;
  const base = {
    jobId: inputs.jobId,
    runtimeSeconds: inputs.runtimeSeconds,
    logs: inputs.logs.slice(-LOG_LINES),
    costSoFar: inputs.costSoFar,
  };
  const result = snapshot.result;
  if (result?.status === "succeeded") {
    return {
      ...base,
      status: "complete",
      progress: 100,
      phase: "done",
      message: "Finished",
      outputUri: result.outputUri,
      summary: result.summary,
    };
  }
  if (result) {
    return {
      ...base,
      status: result.status,
      progress: snapshot.progress?.percent ?? 0,
      phase: "done",
      message: result.error.message,
      error: result.error,
    };
  }
  switch (compute.kind) {
    case "starting":
    case "relaunching":
      return { ...base, status: "launching", progress: 0, phase: "provisioning", message: compute.message };
    case "gone": {
      const error = new CloudTrainingError(compute.reason, { jobId: inputs.jobId }).toJSON();
      return {
        ...base,
        status: "failed",
        progress: snapshot.progress?.percent ?? 0,
        message: error.message,
        error,
      };
    }
    case "running": {
      const p = snapshot.progress;
      if (!p)
        return {
          ...base,
          status: "launching",
          progress: 0,
          phase: "starting",
          message: "Starting the worker",
        };
      // The worker writes its last progress just before result.json: until that lands, it is still finishing.
      if (p.state === "succeeded" || p.state === "failed" || p.state === "cancelled") {
        return { ...base, status: "running", progress: p.percent, phase: "finishing", message: "Finishing" };
      }
      return {
        ...base,
        status: trainingStatusOf(p.state),
        progress: p.percent,
        phase: p.phase,
        message: p.message,
      };
    }
  }
}
