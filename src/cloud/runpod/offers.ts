/**
 * RunPod pod offers: GPU types priced live from `gpuTypes` (community and secure, on-demand and spot), or from
 * the dated static table when the catalog is unreachable. Pods are GPU machines, so only models that may use
 * a GPU get offers here (pricing.ts GPU_CAPABLE_MODELS); the reason is in RUNPOD_POD_UNSUPPORTED.
 */
import type { Logger } from "pino";
import type { ComputeOffer, OfferRequest, OfferSource } from "../offers.js";
import { rank } from "../offers.js";
import {
  costOf,
  estimateTrainingSeconds,
  mayUseGpu,
  PROVISIONING_SECONDS,
  RUNPOD_GPU_PRICES,
  RUNPOD_MIN_BILLED_SECONDS,
  roundDollars,
  roundMinutes,
  STATIC_PRICES_DATE,
} from "../pricing.js";
import type { RunPodPodApi } from "./pod-api.js";
import { type CloudType, computeTypeOf, type GpuType } from "./pod-requests.js";

/** What pods cannot do, with the sentence an offer list can show (STYLE R14). */
export const RUNPOD_POD_UNSUPPORTED = {
  cpuOnlyModels:
    "RunPod pods are GPU machines; this model trains on CPUs only, so a pod would cost more for nothing.",
} as const;

const CATALOG_CACHE_MS = 10 * 60_000;
/** Offers kept per request: the cheapest few are enough for a picker and for failover. */
const MAX_OFFERS = 6;
const UNAVAILABLE_STOCK = new Set(["None", "Out", ""]);

export interface RunPodOfferOptions {
  api: RunPodPodApi;
  /** RUNPOD_CLOUD_TYPE: which clouds to offer. */
  cloudType: CloudType;
  allowSpot: boolean;
  logger?: Logger;
  now?: () => number;
  healthy?: () => Promise<boolean>;
}

interface PricedGpu {
  id: string;
  displayName: string;
  community?: number;
  secure?: number;
  communitySpot?: number;
  secureSpot?: number;
  live: boolean;
}

export class RunPodOfferSource implements OfferSource {
  private cache?: { at: number; gpus: Promise<PricedGpu[]> };

  constructor(private readonly options: RunPodOfferOptions) {}

  async offers(request: OfferRequest): Promise<ComputeOffer[]> {
    if (!mayUseGpu(request.modelType)) return [];
    if (this.options.healthy && !(await this.options.healthy())) return [];
    const seconds =
      PROVISIONING_SECONDS.runpod +
      estimateTrainingSeconds(request.modelType, request.nRows, request.nColumns, request.hyperparameters);
    const offers: ComputeOffer[] = [];
    for (const gpu of await this.catalog()) {
      for (const cloud of this.clouds()) {
        const onDemand = cloud === "SECURE" ? gpu.secure : gpu.community;
        const spot = cloud === "SECURE" ? gpu.secureSpot : gpu.communitySpot;
        const source = gpu.live ? "live" : `static ${STATIC_PRICES_DATE}`;
        if (onDemand) offers.push(offer(gpu, cloud, false, onDemand, seconds, source));
        if (spot && this.options.allowSpot) offers.push(offer(gpu, cloud, true, spot, seconds, source));
      }
    }
    return rank(offers).slice(0, MAX_OFFERS);
  }

  /** The spot bid for a GPU type and cloud ($/GPU/h), or undefined when it has no spot market. */
  async spotBid(gpuTypeId: string, cloud: CloudType): Promise<number | undefined> {
    const gpu = (await this.catalog()).find((g) => g.id === gpuTypeId);
    const price = cloud === "SECURE" ? gpu?.secureSpot : (gpu?.communitySpot ?? gpu?.secureSpot);
    return price && price > 0 ? price : undefined;
  }

  /** The on-demand price we expect for a GPU type and cloud, before the pod tells us its costPerHr. */
  async expectedRate(gpuTypeId: string, cloud: CloudType): Promise<number | undefined> {
    const gpu = (await this.catalog()).find((g) => g.id === gpuTypeId);
    return cloud === "SECURE" ? gpu?.secure : (gpu?.community ?? gpu?.secure);
  }

  private clouds(): Array<"COMMUNITY" | "SECURE"> {
    const c = this.options.cloudType;
    return c === "ALL" ? ["COMMUNITY", "SECURE"] : [c];
  }

  private catalog(): Promise<PricedGpu[]> {
    const now = (this.options.now ?? Date.now)();
    if (!this.cache || now - this.cache.at > CATALOG_CACHE_MS) {
      const gpus = this.options.api.gpuTypes().then(
        (types) => types.filter(inStock).map(fromLive),
        (error) => {
          this.options.logger?.warn(
            { err: String(error) },
            "RunPod gpuTypes unavailable; using the static prices",
          );
          this.cache = undefined;
          return staticCatalog();
        },
      );
      this.cache = { at: now, gpus };
    }
    return this.cache.gpus;
  }
}

function inStock(g: GpuType): boolean {
  const stock = g.lowestPrice?.stockStatus;
  return stock !== null && stock !== undefined && !UNAVAILABLE_STOCK.has(stock);
}

function positive(v: number | null | undefined): number | undefined {
  return typeof v === "number" && v > 0 ? v : undefined;
}

function fromLive(g: GpuType): PricedGpu {
  return {
    id: g.id,
    displayName: g.displayName ?? g.id,
    community: g.communityCloud ? positive(g.communityPrice) : undefined,
    secure: g.secureCloud ? positive(g.securePrice) : undefined,
    communitySpot: g.communityCloud ? positive(g.communitySpotPrice) : undefined,
    secureSpot: g.secureCloud ? positive(g.secureSpotPrice) : undefined,
    live: true,
  };
}

function staticCatalog(): PricedGpu[] {
  return Object.entries(RUNPOD_GPU_PRICES).map(([id, p]) => ({
    id,
    displayName: p.displayName,
    community: p.community,
    secure: p.secure,
    live: false,
  }));
}

function offer(
  gpu: PricedGpu,
  cloud: "COMMUNITY" | "SECURE",
  spot: boolean,
  rate: number,
  seconds: number,
  source: string,
) {
  const label = `RunPod ${gpu.displayName} (${cloud.toLowerCase()}${spot ? ", spot" : ""})`;
  return {
    provider: "runpod",
    computeType: computeTypeOf(gpu.id, cloud),
    label,
    spot,
    gpu: true,
    hourlyRate: rate,
    estimatedMinutes: roundMinutes(seconds),
    estimatedCost: roundDollars(costOf(rate, seconds, RUNPOD_MIN_BILLED_SECONDS)),
    priceSource: source,
  } satisfies ComputeOffer;
}
