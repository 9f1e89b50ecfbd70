/** Where a job can run and what the user may spend on it: the offers and the caps, fetched together. */
import { assertWithinBudget, type BudgetLimits, brokenCap, maxJobCost } from "../../cloud/budget.js";
import type { Task } from "../../ml/types.js";
import type { BudgetState, ComputeOffer, DatasetSummary, FlowPorts, Notice } from "../ports.js";

/** Which cap an estimate breaks (for the views, which do not reach into the cloud layer). */
export { brokenCap };

export interface Quote {
  offers: ComputeOffer[];
  /** Dollars: the cap for this kind of job, what is left of the user's month, and of the bot's month. */
  budget: BudgetLimits;
}

/** A user's limits for one kind of job, from their budget state (JSON-safe: no Infinity). */
export function limitsOf(budget: BudgetState, kind: "training" | "prediction"): BudgetLimits {
  const limits: BudgetLimits = {
    perJob: kind === "training" ? budget.perTrainingJob : budget.perPrediction,
    monthlyLeft: Math.max(0, budget.monthly - budget.spentThisMonth),
  };
  if (Number.isFinite(budget.totalMonthly))
    limits.totalLeft = Math.max(0, budget.totalMonthly - budget.totalSpentThisMonth);
  return limits;
}

export async function quoteJob(
  ports: Pick<FlowPorts, "compute" | "userData">,
  kind: "training" | "prediction",
  input: {
    userId: number;
    modelType: string;
    dataset: DatasetSummary;
    hyperparameters?: Record<string, unknown>;
    /** The chosen target and task: a classifier's work grows with its classes. */
    target?: string;
    task?: Task;
  },
): Promise<Quote> {
  const target = input.dataset.columns.find((c) => c.name === input.target);
  const request = {
    userId: input.userId,
    modelType: input.modelType,
    hyperparameters: input.hyperparameters,
    nRows: input.dataset.nRows,
    nColumns: input.dataset.nColumns,
    sizeBytes: input.dataset.sizeBytes,
    task: input.task,
    classes: input.task === "classification" ? target?.unique : undefined,
  };
  const [offers, budget] = await Promise.all([
    kind === "training" ? ports.compute.trainingOffers(request) : ports.compute.predictionOffers(request),
    ports.userData.budget(input.userId),
  ]);
  return { offers, budget: limitsOf(budget, kind) };
}

/** Whether a job of this estimated cost may start: free work always, paid work within every cap. */
export function withinBudget(cost: number, budget: BudgetLimits | undefined): boolean {
  return cost <= 0 || (budget !== undefined && brokenCap(cost, budget) === undefined);
}

const NOTICE_OF_CAP = { perJob: "overJobCap", monthly: "overMonthlyCap", total: "overTotalCap" } as const;

/** What the user is told when a launch is refused: which cap, and how much of it is left. */
export function overBudgetNotice(cost: number, budget: BudgetLimits | undefined): Notice {
  const broken = budget && brokenCap(cost, budget);
  return broken ? { key: NOTICE_OF_CAP[broken.cap], params: { left: broken.left } } : { key: "overBudget" };
}

/** The cost at which a running job is stopped (0: no budget known, the provider's own caps apply). */
export function costCap(budget: BudgetLimits | undefined): number {
  return budget ? maxJobCost(budget) : 0;
}

/** The caps as they stand now: other users' spend may have used the bot's total since the quote. */
export async function liveLimits(
  ports: Pick<FlowPorts, "userData">,
  userId: number,
  kind: "training" | "prediction",
): Promise<BudgetLimits> {
  return limitsOf(await ports.userData.budget(userId), kind);
}

/** Checks paid work against the caps as they stand now: BudgetExceededError names the cap and what is left. */
export async function assertLiveBudget(
  ports: Pick<FlowPorts, "userData">,
  userId: number,
  kind: "training" | "prediction",
  estimatedCost: number,
): Promise<void> {
  if (estimatedCost <= 0) return;
  assertWithinBudget(estimatedCost, await liveLimits(ports, userId, kind), "This job");
}
