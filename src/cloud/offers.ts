/**
 * Where a job can run and what it costs: a ranked list of offers, cheapest feasible first. This machine is
 * always offered (free); cloud providers add their offers through `OfferSource`s (EC2, RunPod pods, Lambda,
 * RunPod Serverless), each from live prices where the provider has them and a dated static table otherwise.
 */
import { getModelSpec } from "../ml/index.js";
import { type BudgetLimits, budgetProblem } from "./budget.js";
import { estimateTrainingSeconds, roundMinutes } from "./pricing.js";
import type { ProviderName } from "./provider-interface.js";

/** A place to run a job, with its price: what the location picker offers. */
export interface ComputeOffer {
  provider: ProviderName;
  /** "local", an EC2 instance type, a RunPod GPU type id (with "/SECURE" or "/COMMUNITY"), a function name. */
  computeType: string;
  /** Short display name: "This machine", "AWS m5.large", "RunPod RTX A5000 (community)". */
  label: string;
  spot: boolean;
  gpu: boolean;
  /** Dollars per hour. */
  hourlyRate: number;
  /** Including provisioning (boot, image pull), which is billed too. */
  estimatedMinutes: number;
  /** Dollars: hourlyRate × estimated time (with the provider's minimum billing). */
  estimatedCost: number;
  /** Where the price came from: "live", "static 2026-11-28", or "free". */
  priceSource: string;
  /** Set when the user's budget does not allow this offer: the reason, for the picker to show. */
  overBudget?: string;
  /** With Redis, this machine's offer is the worker fleet: how it stands, for the picker to say in words. */
  fleet?: FleetView;
}

/** The worker fleet as the location picker names it ("Workers · 3 online, 1 busy · about 2 min wait"). */
export interface FleetView {
  online: number;
  /** Workers running at least one job. */
  busy: number;
  /** Minutes a job queued now would wait; 0 for none. */
  waitMinutes: number;
}

export interface OfferRequest {
  userId: number;
  modelType: string;
  /** Some models' time depends on them (auto mode's time budget). */
  hyperparameters?: Record<string, unknown>;
  nRows: number;
  nColumns: number;
  sizeBytes: number;
  /** The target's classes (classification) and the task, when chosen: they change some models' work. */
  classes?: number;
  task?: "regression" | "classification";
}

/** Ranks where a job can run, cheapest feasible first (src/cloud/offers.ts behind it). */
export interface ComputePort {
  trainingOffers(request: OfferRequest): Promise<ComputeOffer[]>;
  predictionOffers(request: OfferRequest): Promise<ComputeOffer[]>;
}

export interface OfferSource {
  /** Offers for this request, or [] when the provider cannot run it (unhealthy, unsupported model). */
  offers(request: OfferRequest): Promise<ComputeOffer[]>;
}

/** Seconds of training the request's job needs on a worker (provisioning not included). */
export function trainingSecondsFor(request: OfferRequest): number {
  const { modelType, nRows, nColumns, hyperparameters, classes, task } = request;
  return estimateTrainingSeconds(modelType, nRows, nColumns, hyperparameters, { classes, task });
}

export function localOffer(request: OfferRequest, kind: "training" | "prediction"): ComputeOffer {
  const minutes = kind === "training" ? roundMinutes(trainingSecondsFor(request)) : 0.1;
  return {
    provider: "local",
    computeType: "local",
    label: "This machine",
    spot: false,
    gpu: false,
    hourlyRate: 0,
    estimatedMinutes: minutes,
    estimatedCost: 0,
    priceSource: "free",
  };
}

export interface ComputeOffersOptions {
  training?: OfferSource[];
  prediction?: OfferSource[];
  /** The user's limits; when given, offers the budget does not allow carry `overBudget`. */
  budgetOf?: (userId: number, kind: "training" | "prediction") => Promise<BudgetLimits>;
  /** Who may use paid compute; others are offered this machine only (default: everyone). */
  mayPay?: (userId: number) => boolean;
}

/** The compute port of the workflows: local plus every registered cloud source, ranked. */
export function createComputeOffers(sources: ComputeOffersOptions = {}): ComputePort {
  const collect = async (kind: "training" | "prediction", request: OfferRequest) => {
    if (sources.mayPay && !sources.mayPay(request.userId)) return [localOffer(request, kind)];
    const cloud = await Promise.all((sources[kind] ?? []).map((s) => s.offers(request).catch(() => [])));
    const offers = [localOffer(request, kind), ...rank(cloud.flat())];
    if (!sources.budgetOf) return offers;
    const limits = await sources.budgetOf(request.userId, kind);
    return offers.map((offer) => {
      const problem = budgetProblem(offer.estimatedCost, limits);
      return problem ? { ...offer, overBudget: problem } : offer;
    });
  };
  return {
    trainingOffers: (request) => collect("training", request),
    predictionOffers: (request) => collect("prediction", request),
  };
}

/** Cheapest first; among equal prices, the faster one. */
export function rank(offers: ComputeOffer[]): ComputeOffer[] {
  return [...offers].sort(
    (a, b) => a.estimatedCost - b.estimatedCost || a.estimatedMinutes - b.estimatedMinutes,
  );
}

/** Bytes per cell of a typical numeric CSV, to guess a shape from a file size alone. */
const CSV_BYTES_PER_CELL = 8;
const ASSUMED_COLUMNS = 20;

/**
 * The seed's `select_compute_type(dataset_size_mb, model_type, estimated_training_time_minutes)`, backed by a
 * provider's ranked offers: the cheapest offer that fits. The shape is guessed from the size (20 columns);
 * a given time estimate replaces ours. Throws InvalidParameterError for unknown model types.
 */
export async function selectFromOffers(
  source: OfferSource,
  datasetSizeMb: number,
  modelType: string,
  estimatedTrainingTimeMinutes = 0,
): Promise<string> {
  const model = getModelSpec(modelType).id;
  const cells = (Math.max(0, datasetSizeMb) * 1e6) / CSV_BYTES_PER_CELL;
  const request: OfferRequest = {
    userId: 0,
    modelType: model,
    nRows: Math.ceil(cells / ASSUMED_COLUMNS),
    nColumns: ASSUMED_COLUMNS,
    sizeBytes: Math.round(datasetSizeMb * 1e6),
  };
  let offers = await source.offers(request);
  if (estimatedTrainingTimeMinutes > 0) {
    const scale = (o: ComputeOffer) => (o.hourlyRate * estimatedTrainingTimeMinutes) / 60;
    offers = [...offers].sort((a, b) => scale(a) - scale(b));
  }
  if (offers.length === 0) return "local";
  return offers[0].computeType;
}
