/**
 * The training machine's actors, built on the ports. Each one survives a restore: launching is idempotent by
 * job id (the provider finds the job it already created), and monitoring simply starts polling again.
 */
import { fromCallback } from "xstate";
import { CloudTrainingError } from "../../errors.js";
import type { FlowPorts } from "../ports.js";
import { pollEvery, safePromise } from "../shared/actors.js";
import { ingestDataset } from "../shared/datasets.js";
import { toErrorInfo } from "../shared/errors.js";
import type { LaunchInput, MonitorInput, TrainingEvent, TrainingJobState } from "./machine.js";

/** Consecutive failed polls tolerated before a job is reported as lost. */
const MAX_POLL_FAILURES = 10;

export function trainingActors(ports: FlowPorts) {
  return {
    ingestDataset: safePromise(async (input: { userId: number; stagingPath: string; fileName: string }) => {
      const { summary } = await ingestDataset(ports, input);
      return summary;
    }),

    launchTraining: safePromise(async (input: LaunchInput, signal: AbortSignal) => {
      const deadline = new Date(
        ports.clock.now().getTime() + ports.jobDeadlineMinutes * 60_000,
      ).toISOString();
      return ports.training(input.provider).launchTraining(
        {
          jobId: input.jobId,
          computeType: input.computeType,
          datasetUri: input.datasetUri,
          modelId: input.modelId,
          userId: input.userId,
          modelType: input.modelType,
          taskType: input.task,
          targetColumn: input.target,
          featureColumns: input.features,
          hyperparameters: input.hyperparameters,
          deadline,
        },
        signal,
      );
    }),

    monitorTraining: fromCallback<TrainingEvent, MonitorInput>(({ input, sendBack }) => {
      const provider = ports.training(input.provider);
      let last = "";
      let failures = 0;
      return pollEvery(
        ports.pollIntervalMs,
        async () => {
          const status = await provider.monitorTraining(input.jobId);
          failures = 0;
          if (status.status === "complete") {
            sendBack({ type: "job.completed", status });
            return true;
          }
          if (status.status === "failed" || status.status === "cancelled") {
            sendBack({
              type: "job.failed",
              error: status.error
                ? toErrorInfo(status.error)
                : toErrorInfo(new CloudTrainingError("The training job stopped without a result.")),
            });
            return true;
          }
          if (input.deadline && ports.clock.now().getTime() > Date.parse(input.deadline)) {
            await provider.terminateTraining(input.jobId).catch(() => undefined);
            sendBack({
              type: "job.failed",
              error: toErrorInfo(
                new CloudTrainingError("The training job ran past its deadline and was stopped.", {
                  deadline: input.deadline,
                }),
              ),
            });
            return true;
          }
          const fingerprint = JSON.stringify([
            status.status,
            status.progress,
            status.message,
            status.queuePosition,
          ]);
          if (fingerprint !== last) {
            last = fingerprint;
            sendBack({ type: "job.progress", status });
          }
          return false;
        },
        (error) => {
          failures += 1;
          if (failures < MAX_POLL_FAILURES) return false;
          sendBack({ type: "job.failed", error: toErrorInfo(error) });
          return true;
        },
      );
    }),

    terminateTraining: safePromise(
      async (input: { jobId: string; provider: TrainingJobState["provider"] }) => {
        await ports.training(input.provider).terminateTraining(input.jobId);
      },
    ),
  };
}
