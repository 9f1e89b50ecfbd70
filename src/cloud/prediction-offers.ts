/**
 * Prediction offers: AWS Lambda (priced per GB-second of the configured memory, plus the request) and RunPod
 * Serverless (per second of the endpoint's pool). Both from the dated static tables in pricing.ts: neither
 * publishes a price API. Cold starts are billed too (Serverless bills from worker start), so they are in.
 */
import type { ComputeOffer, OfferRequest, OfferSource } from "./offers.js";
import {
  COLD_START_SECONDS,
  estimatePredictSeconds,
  LAMBDA_GB_SECOND_PRICE,
  LAMBDA_REQUEST_PRICE,
  RUNPOD_SERVERLESS_SECOND_PRICE,
  roundDollars,
  roundMinutes,
  STATIC_PRICES_DATE,
} from "./pricing.js";

export interface LambdaOfferOptions {
  functionName: string;
  memoryMb: number;
  timeoutSeconds: number;
  healthy?: () => Promise<boolean>;
  /** The function exists and is active (no offer for a function nobody deployed). */
  available?: () => Promise<boolean>;
}

export class LambdaOfferSource implements OfferSource {
  constructor(private readonly o: LambdaOfferOptions) {}

  async offers(request: OfferRequest): Promise<ComputeOffer[]> {
    if (this.o.healthy && !(await this.o.healthy())) return [];
    if (this.o.available && !(await this.o.available())) return [];
    const seconds = COLD_START_SECONDS.lambda + estimatePredictSeconds(request.nRows, request.nColumns);
    if (seconds > this.o.timeoutSeconds) return []; // would time out: not feasible
    const perSecond = (LAMBDA_GB_SECOND_PRICE * this.o.memoryMb) / 1024;
    return [
      {
        provider: "aws",
        computeType: this.o.functionName,
        label: `AWS Lambda (${this.o.memoryMb} MB)`,
        spot: false,
        gpu: false,
        hourlyRate: perSecond * 3600,
        estimatedMinutes: roundMinutes(seconds),
        estimatedCost: roundDollars(LAMBDA_REQUEST_PRICE + perSecond * seconds),
        priceSource: `static ${STATIC_PRICES_DATE}`,
      },
    ];
  }
}

export interface ServerlessOfferOptions {
  endpointId: string;
  /** $ per second of the endpoint's worker pool. */
  pricePerSecond?: number;
  healthy?: () => Promise<boolean>;
  /** The endpoint exists (its /health answers); no offer for an endpoint that is gone. */
  available?: () => Promise<boolean>;
}

export class RunPodServerlessOfferSource implements OfferSource {
  constructor(private readonly o: ServerlessOfferOptions) {}

  async offers(request: OfferRequest): Promise<ComputeOffer[]> {
    if (this.o.healthy && !(await this.o.healthy())) return [];
    if (this.o.available && !(await this.o.available())) return [];
    const perSecond = this.o.pricePerSecond ?? RUNPOD_SERVERLESS_SECOND_PRICE;
    const seconds =
      COLD_START_SECONDS.runpodServerless + estimatePredictSeconds(request.nRows, request.nColumns);
    return [
      {
        provider: "runpod",
        computeType: this.o.endpointId,
        label: "RunPod Serverless",
        spot: false,
        // Our handler uses no GPU: the endpoint should run on CPU workers (src/worker/README.md).
        gpu: false,
        hourlyRate: perSecond * 3600,
        estimatedMinutes: roundMinutes(seconds),
        estimatedCost: roundDollars(perSecond * seconds),
        priceSource: `static ${STATIC_PRICES_DATE}`,
      },
    ];
  }
}
