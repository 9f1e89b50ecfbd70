/**
 * The training machine's actors, built on the ports. Each survives a restore: launching is idempotent by job
 * id (a provider finds the job it already created), monitoring simply polls again, and a job's cost is
 * recorded once per job id however often completion is observed.
 */
import { fromCallback } from "xstate";
import { budgetProblem } from "../../cloud/budget.js";
import { type AppError, BudgetExceededError, CloudTrainingError } from "../../errors.js";
import type { DatasetSummary, FlowPorts, StoredDatasetChoice } from "../ports.js";
import { pollEvery, safePromise } from "../shared/actors.js";
import { type DatasetSource, ingestDataset } from "../shared/datasets.js";
import { toErrorInfo } from "../shared/errors.js";
import { liveLimits, quoteJob } from "../shared/quote.js";
import type {
  LaunchInput,
  LaunchOutput,
  MonitorInput,
  TrainingEvent,
  TrainingJobState,
  TrainingTemplateConfig,
} from "./types.js";

/** Consecutive failed polls tolerated before a job is reported as lost. */
const MAX_POLL_FAILURES = 10;

export function trainingActors(ports: FlowPorts) {
  return {
    loadSources: safePromise(async ({ userId }: { userId: number }) => {
      const [datasets, templates] = await Promise.all([
        ports.storage.listUserDatasets(userId),
        ports.userData.listTemplates(userId, "training"),
      ]);
      const choices: StoredDatasetChoice[] = datasets
        .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt))
        .slice(0, 50)
        .map((d) => ({
          datasetId: d.datasetId,
          uri: d.uri,
          name: d.name,
          sizeBytes: d.size,
          uploadedAt: d.uploadedAt,
        }));
      return { datasets: choices, templates };
    }),

    ingestDataset: safePromise((source: DatasetSource) => ingestDataset(ports, source)),

    quoteTraining: safePromise(
      (input: {
        userId: number;
        modelType: string;
        dataset: DatasetSummary;
        hyperparameters: Record<string, unknown>;
      }) => quoteJob(ports, "training", input),
    ),

    launchTraining: safePromise((input: LaunchInput, signal: AbortSignal) =>
      launchWithFailover(ports, input, signal),
    ),

    monitorTraining: fromCallback<TrainingEvent, MonitorInput>(({ input, sendBack }) =>
      monitor(ports, input, sendBack),
    ),

    terminateTraining: safePromise(
      async (input: { jobId: string; provider: TrainingJobState["provider"]; userId: number }) => {
        const provider = ports.training(input.provider);
        await provider.terminateTraining(input.jobId);
        const status = await provider.monitorTraining(input.jobId).catch(() => undefined);
        if (status && status.costSoFar > 0)
          await ports.userData.recordJobCost(input.userId, input.jobId, status.costSoFar, input.provider);
      },
    ),

    renameModel: safePromise(async (input: { userId: number; modelId: string; name: string }) =>
      ports.userData.setModelName(input.userId, input.modelId, input.name),
    ),

    saveTemplate: safePromise(
      async (input: { userId: number; name: string; config: TrainingTemplateConfig }) =>
        ports.userData.saveTemplate(input.userId, {
          name: input.name,
          kind: "training",
          config: input.config as unknown as Record<string, unknown>,
        }),
    ),
  };
}

/** Tries each offer in turn; capacity and launch errors move on to the next, and every attempt is kept. */
async function launchWithFailover(
  ports: FlowPorts,
  input: LaunchInput,
  signal: AbortSignal,
): Promise<LaunchOutput> {
  const attempts: LaunchOutput["attempts"] = [];
  const deadline = new Date(ports.clock.now().getTime() + ports.jobDeadlineMinutes * 60_000).toISOString();
  // The caps as they are now: other users' spend may have used the bot's total since the quote.
  const limits = await liveLimits(ports, input.userId, "training");
  const overBudget: string[] = [];
  for (const offer of input.offers) {
    const problem = budgetProblem(offer.estimatedCost, limits);
    if (problem) {
      overBudget.push(problem);
      attempts.push({ offer: offer.label, reason: problem });
      continue;
    }
    try {
      const job = await ports.training(offer.provider).launchTraining(
        {
          jobId: input.jobId,
          computeType: offer.computeType,
          datasetUri: input.datasetUri,
          modelId: input.modelId,
          userId: input.userId,
          modelType: input.modelType,
          taskType: input.task,
          targetColumn: input.target,
          featureColumns: input.features,
          hyperparameters: input.hyperparameters,
          deadline,
          spot: offer.spot,
          estimatedMinutes: offer.estimatedMinutes,
          language: input.language,
        },
        signal,
      );
      return { job, offer, attempts };
    } catch (error) {
      // A pod that never became ready still billed for its wait: that counts against the user's budget.
      const cost = Number((error as { details?: { costSoFar?: unknown } }).details?.costSoFar ?? 0);
      if (cost > 0)
        await ports.userData.recordJobCost(
          input.userId,
          `${input.jobId}:${offer.label}`,
          cost,
          offer.provider,
        );
      if (signal.aborted) throw error;
      attempts.push({ offer: offer.label, reason: toErrorInfo(error).message });
    }
  }
  if (overBudget.length === attempts.length) {
    throw new BudgetExceededError(`This job: ${overBudget[0]}.`, { attempts });
  }
  throw new CloudTrainingError(
    `No compute could be started: ${attempts.map((a) => `${a.offer}: ${a.reason}`).join("; ")}.`,
    { attempts },
  );
}

function monitor(
  ports: FlowPorts,
  input: MonitorInput,
  sendBack: (event: TrainingEvent) => void,
): () => void {
  const provider = ports.training(input.provider);
  let last = "";
  let failures = 0;
  const stopWith = async (error: AppError) => {
    await provider.terminateTraining(input.jobId).catch(() => undefined);
    sendBack({ type: "job.failed", error: toErrorInfo(error) });
  };
  return pollEvery(
    ports.pollIntervalMs,
    async () => {
      const status = await provider.monitorTraining(input.jobId);
      failures = 0;
      if (status.status === "complete" || status.status === "failed" || status.status === "cancelled") {
        if (status.costSoFar > 0)
          await ports.userData.recordJobCost(input.userId, input.jobId, status.costSoFar, input.provider);
      }
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
        await stopWith(
          new CloudTrainingError("The training job ran past its deadline and was stopped.", {
            deadline: input.deadline,
          }),
        );
        return true;
      }
      if (input.maxCost > 0 && status.costSoFar >= input.maxCost) {
        await stopWith(
          new BudgetExceededError("The job reached your budget and was stopped.", { cost: status.costSoFar }),
        );
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
}
