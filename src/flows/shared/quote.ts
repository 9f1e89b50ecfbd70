/** Where a job can run and what the user may spend on it: the offers and the caps, fetched together. */
import type { Task } from "../../ml/types.js";
import type { ComputeOffer, DatasetSummary, FlowPorts } from "../ports.js";

export interface Quote {
  offers: ComputeOffer[];
  /** Dollars: the cap for this kind of job, and what is left of the month's. */
  budget: { perJob: number; monthlyLeft: number };
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
  const perJob = kind === "training" ? budget.perTrainingJob : budget.perPrediction;
  return { offers, budget: { perJob, monthlyLeft: Math.max(0, budget.monthly - budget.spentThisMonth) } };
}
