/**
 * RunPod pod offers: GPU types priced live from `gpuTypes`, or from the dated static table when the catalog is
 * unreachable. Pods mount the network volume, which RunPod allows only on Secure Cloud in the volume's data
 * center, so offers are Secure Cloud GPU types in stock there (`dataCenters`). Spot pods are offered only when
 * the operator opts in (RUNPOD_ALLOW_SPOT): RunPod no longer documents them (runpod-api.md). Pods are GPU
 * machines, so only models that may use a GPU get offers here (pricing.ts GPU_CAPABLE_MODELS).
 */
import type { Logger } from "pino";
import type { ComputeOffer, OfferRequest, OfferSource } from "../offers.js";
import { rank, trainingSecondsFor } from "../offers.js";
import {
  costOf,
  mayUseGpu,
  PROVISIONING_SECONDS,
  RUNPOD_GPU_PRICES,
  RUNPOD_MIN_BILLED_SECONDS,
  roundDollars,
  roundMinutes,
  STATIC_PRICES_DATE,
} from "../pricing.js";
import type { RunPodPodApi } from "./pod-api.js";
import { POD_CLOUD } from "./pod-launch.js";
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
  /** The volume's data center: only GPU types in stock there are offered. */
  dataCenterId?: string;
  /** RUNPOD_ALLOW_SPOT: spot (interruptible) offers too. */
  allowSpot: boolean;
  logger?: Logger;
  now?: () => number;
  healthy?: () => Promise<boolean>;
}

interface PricedGpu {
  id: string;
  displayName: string;
  secure?: number;
  secureSpot?: number;
  live: boolean;
}

export class RunPodOfferSource implements OfferSource {
  private cache?: { at: number; gpus: Promise<PricedGpu[]> };
  private stock?: { at: number; inStock: Promise<Set<string> | undefined> };

  constructor(private readonly options: RunPodOfferOptions) {}

  async offers(request: OfferRequest): Promise<ComputeOffer[]> {
    if (!mayUseGpu(request.modelType, request)) return [];
    if (this.options.healthy && !(await this.options.healthy())) return [];
    const seconds = PROVISIONING_SECONDS.runpod + trainingSecondsFor(request);
    const [gpus, inStock] = await Promise.all([this.catalog(), this.dataCenterStock()]);
    const offers: ComputeOffer[] = [];
    for (const gpu of gpus) {
      if (inStock && !inStock.has(gpu.id)) continue;
      const source = gpu.live ? "live" : `static ${STATIC_PRICES_DATE}`;
      if (gpu.secure) offers.push(offer(gpu, false, gpu.secure, seconds, source));
      if (gpu.secureSpot && this.options.allowSpot)
        offers.push(offer(gpu, true, gpu.secureSpot, seconds, source));
    }
    return rank(offers).slice(0, MAX_OFFERS);
  }

  /** The spot bid for a GPU type ($/GPU/h), or undefined when it has no spot market. */
  async spotBid(gpuTypeId: string, _cloud: CloudType = POD_CLOUD): Promise<number | undefined> {
    const gpu = (await this.catalog()).find((g) => g.id === gpuTypeId);
    const price = gpu?.secureSpot;
    return price && price > 0 ? price : undefined;
  }

  /** The on-demand price we expect for a GPU type, before the pod tells us its costPerHr. */
  async expectedRate(gpuTypeId: string, _cloud: CloudType = POD_CLOUD): Promise<number | undefined> {
    return (await this.catalog()).find((g) => g.id === gpuTypeId)?.secure;
  }

  /** GPU types in stock in the volume's data center; undefined (no filter) when unknown or unreachable. */
  private dataCenterStock(): Promise<Set<string> | undefined> {
    const dc = this.options.dataCenterId;
    if (!dc) return Promise.resolve(undefined);
    const now = (this.options.now ?? Date.now)();
    if (!this.stock || now - this.stock.at > CATALOG_CACHE_MS) {
      const inStock = this.options.api.dataCenters().then(
        (centers) => {
          const here = centers.find((c) => c.id.toUpperCase() === dc.toUpperCase());
          if (!here?.gpuAvailability) return undefined;
          const available = here.gpuAvailability.filter((g) => !UNAVAILABLE_STOCK.has(g.stockStatus ?? ""));
          return new Set(available.map((g) => g.gpuTypeId ?? ""));
        },
        () => {
          this.stock = undefined;
          return undefined;
        },
      );
      this.stock = { at: now, inStock };
    }
    return this.stock.inStock;
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
    secure: g.secureCloud ? positive(g.securePrice) : undefined,
    secureSpot: g.secureCloud ? positive(g.secureSpotPrice) : undefined,
    live: true,
  };
}

function staticCatalog(): PricedGpu[] {
  return Object.entries(RUNPOD_GPU_PRICES).map(([id, p]) => ({
    id,
    displayName: p.displayName,
    secure: p.secure,
    live: false,
  }));
}

function offer(gpu: PricedGpu, spot: boolean, rate: number, seconds: number, source: string) {
  const label = `RunPod ${gpu.displayName}${spot ? " (spot)" : ""}`;
  return {
    provider: "runpod",
    computeType: computeTypeOf(gpu.id, POD_CLOUD),
    label,
    spot,
    gpu: true,
    hourlyRate: rate,
    estimatedMinutes: roundMinutes(seconds),
    estimatedCost: roundDollars(costOf(rate, seconds, RUNPOD_MIN_BILLED_SECONDS)),
    priceSource: source,
  } satisfies ComputeOffer;
}
