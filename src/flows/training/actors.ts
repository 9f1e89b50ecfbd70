/**
 * The training machine's actors, built on the ports. Each survives a restore: launching is idempotent by job
 * id (a provider finds the job it already created), monitoring simply polls again, and terminating retries
 * until the provider confirms. A job's cost is recorded once, when its compute is confirmed gone.
 */
import { fromCallback } from "xstate";
import { budgetProblem } from "../../cloud/budget.js";
import { BudgetExceededError, CloudConfigurationError, CloudTrainingError } from "../../errors.js";
import type { FlowPorts } from "../ports.js";
import { pollEvery, safePromise, saveTemplateActor } from "../shared/actors.js";
import { type DatasetSource, ingestDataset } from "../shared/datasets.js";
import { toErrorInfo } from "../shared/errors.js";
import { liveLimits, quoteJob } from "../shared/quote.js";
import { listDatasetChoices } from "../shared/sources.js";
import type {
  LaunchInput,
  LaunchOutput,
  MonitorInput,
  TerminateInput,
  TrainingEvent,
  TrainingTemplateConfig,
} from "./types.js";

/** Consecutive failed polls tolerated before a job is reported as lost. */
const MAX_POLL_FAILURES = 10;
/** Longest wait between two termination attempts (the first waits one poll interval, then it doubles). */
const MAX_TERMINATE_BACKOFF_MS = 60_000;

export function trainingActors(ports: FlowPorts) {
  return {
    loadSources: safePromise(async ({ userId }: { userId: number }) => {
      const [datasets, templates] = await Promise.all([
        listDatasetChoices(ports, userId),
        ports.userData.listTemplates(userId, "training"),
      ]);
      return { datasets, templates };
    }),

    ingestDataset: safePromise((source: DatasetSource) => ingestDataset(ports, source)),

    quoteTraining: safePromise(
      (input: Parameters<typeof quoteJob>[2] & { hyperparameters: Record<string, unknown> }) =>
        quoteJob(ports, "training", input),
    ),

    launchTraining: safePromise((input: LaunchInput, signal: AbortSignal) =>
      launchWithFailover(ports, input, signal),
    ),

    monitorTraining: fromCallback<TrainingEvent, MonitorInput>(({ input, sendBack }) =>
      monitor(ports, input, sendBack),
    ),

    terminateTraining: fromCallback<TrainingEvent, TerminateInput>(({ input, sendBack }) =>
      terminateUntilConfirmed(ports, input, sendBack),
    ),

    renameModel: safePromise(async (input: { userId: number; modelId: string; name: string }) =>
      ports.userData.setModelName(input.userId, input.modelId, input.name),
    ),

    saveTemplate: saveTemplateActor<TrainingTemplateConfig>(ports, "training"),
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

/**
 * Polls the job until it ends, and reports what changed: progress and the machine's figures (job.progress),
 * new log lines (job.log, from the provider's log stream), and the end (job.completed / job.failed). A job
 * past its deadline or at its budget is reported failed; terminating it is TERMINATING's work.
 */
function monitor(
  ports: FlowPorts,
  input: MonitorInput,
  sendBack: (event: TrainingEvent) => void,
): () => void {
  const provider = ports.training(input.provider);
  let last = "";
  let failures = 0;
  const stopLogs = followLogs(provider.pollTrainingLogs.bind(provider), input.jobId, sendBack);
  const stopPolling = pollEvery(
    ports.pollIntervalMs,
    async () => {
      const status = await provider.monitorTraining(input.jobId);
      failures = 0;
      if (status.status === "complete") {
        sendBack({ type: "job.completed", status });
        return true;
      }
      if (status.status === "failed" || status.status === "cancelled") {
        const error = status.error ?? new CloudTrainingError("The training job stopped without a result.");
        sendBack({ type: "job.failed", error: toErrorInfo(error), diagnostics: status.diagnostics });
        return true;
      }
      if (input.deadline && ports.clock.now().getTime() > Date.parse(input.deadline)) {
        const error = new CloudTrainingError("The training job ran past its deadline and was stopped.", {
          deadline: input.deadline,
        });
        sendBack({ type: "job.failed", error: toErrorInfo(error) });
        return true;
      }
      if (input.maxCost > 0 && status.costSoFar >= input.maxCost) {
        const error = new BudgetExceededError("The job reached your budget and was stopped.", {
          cost: status.costSoFar,
        });
        sendBack({ type: "job.failed", error: toErrorInfo(error) });
        return true;
      }
      const fingerprint = JSON.stringify([
        status.status,
        status.progress,
        status.message,
        status.queuePosition,
        status.metrics,
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
  return () => {
    stopPolling();
    stopLogs();
  };
}

/** Follows the provider's log stream; each new line sends the latest few as job.log. Errors end it quietly. */
function followLogs(
  poll: (jobId: string, signal?: AbortSignal) => AsyncIterable<string>,
  jobId: string,
  sendBack: (event: TrainingEvent) => void,
): () => void {
  const controller = new AbortController();
  void (async () => {
    const tail: string[] = [];
    for await (const line of poll(jobId, controller.signal)) {
      if (controller.signal.aborted) return;
      tail.push(line);
      if (tail.length > 3) tail.shift();
      sendBack({ type: "job.log", lines: [...tail] });
    }
  })().catch(() => undefined); // the status poll reports a lost job; logs are only detail
  return () => controller.abort();
}

/**
 * Terminates the job's compute and retries, with backoff, until the provider confirms; then records the
 * job's final cost, removes what it staged, and says so (terminate.confirmed). Each failed attempt is
 * reported (terminate.retrying) so the user sees that the bot is still at it.
 */
function terminateUntilConfirmed(
  ports: FlowPorts,
  input: TerminateInput,
  sendBack: (event: TrainingEvent) => void,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (n: number): Promise<void> => {
    if (stopped) return;
    try {
      const cost = await terminateOnce(ports, input);
      if (!stopped) sendBack({ type: "terminate.confirmed", cost });
    } catch (error) {
      if (stopped) return;
      sendBack({ type: "terminate.retrying", attempt: n, reason: toErrorInfo(error).message });
      const wait = Math.min(MAX_TERMINATE_BACKOFF_MS, ports.pollIntervalMs * 2 ** (n - 1));
      timer = setTimeout(() => void attempt(n + 1), wait);
    }
  };
  void attempt(1);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** One confirmed termination; returns the job's final cost. */
async function terminateOnce(ports: FlowPorts, input: TerminateInput): Promise<number> {
  let provider: ReturnType<FlowPorts["training"]>;
  try {
    provider = ports.training(input.provider);
  } catch (error) {
    // A provider this bot no longer has cannot have compute running for it.
    if (error instanceof CloudConfigurationError) return input.costSoFar;
    throw error;
  }
  await provider.terminateTraining(input.jobId);
  const status = await provider.monitorTraining(input.jobId).catch(() => undefined);
  const cost = Math.max(input.costSoFar, status?.costSoFar ?? 0);
  if (cost > 0) await ports.userData.recordJobCost(input.userId, input.jobId, cost, input.provider);
  // Staged data is a cost too (a bucket, a fixed-size volume); a failed clean-up is left to lifecycle rules.
  await provider.releaseJob?.(input.jobId).catch(() => undefined);
  return cost;
}
