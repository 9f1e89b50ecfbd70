/**
 * EC2 offers: the instance types that fit the dataset in memory, priced on-demand from the dated static table
 * and, when spot is enabled, at the live spot price from DescribeSpotPriceHistory. GPU instances are offered
 * only for models that may use a GPU (pricing.ts GPU_CAPABLE_MODELS).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotPriceHistory.html
 */
import { DescribeSpotPriceHistoryCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { Logger } from "pino";
import type { ComputeOffer, OfferRequest, OfferSource } from "../offers.js";
import { rank, trainingSecondsFor } from "../offers.js";
import {
  costOf,
  EC2_INSTANCE_TYPES,
  EC2_MIN_BILLED_SECONDS,
  estimateMemoryGb,
  mayUseGpu,
  PROVISIONING_SECONDS,
  roundDollars,
  roundMinutes,
  STATIC_PRICES_DATE,
} from "../pricing.js";

/** Memory headroom over our estimate: the OS and the container runtime need some too. */
const MEMORY_HEADROOM = 1.25;
const SPOT_PRICE_CACHE_MS = 10 * 60_000;

export interface Ec2OfferOptions {
  ec2?: EC2Client;
  /** Offer spot instances too (EC2_USE_SPOT). */
  allowSpot: boolean;
  /** Above this spot price an offer is not made (EC2_SPOT_MAX_PRICE). */
  spotMaxPrice?: number;
  logger?: Logger;
  now?: () => Date;
  /** False while AWS is unhealthy: no offers then. */
  healthy?: () => Promise<boolean>;
}

/** Lowest current spot price per instance type and per availability zone. */
export interface SpotPrices {
  byType: Map<string, number>;
  byZone: Map<string, number>;
}

export class Ec2OfferSource implements OfferSource {
  private cache?: { at: number; prices: Promise<SpotPrices> };

  constructor(private readonly options: Ec2OfferOptions) {}

  async offers(request: OfferRequest): Promise<ComputeOffer[]> {
    if (this.options.healthy && !(await this.options.healthy())) return [];
    const neededGb = estimateMemoryGb(request.nRows, request.nColumns) * MEMORY_HEADROOM;
    const gpuAllowed = mayUseGpu(request.modelType, request);
    const types = Object.entries(EC2_INSTANCE_TYPES).filter(
      ([, t]) => t.memoryGb >= neededGb && (gpuAllowed || !t.gpu),
    );
    const seconds = PROVISIONING_SECONDS.ec2 + trainingSecondsFor(request);
    const offers = types.map(([type, t]) =>
      offer(type, false, Boolean(t.gpu), t.onDemandHourly, seconds, `static ${STATIC_PRICES_DATE}`),
    );
    if (this.options.allowSpot && this.options.ec2) {
      const spot = await this.spotPrices().catch((error) => {
        this.options.logger?.warn({ err: error }, "EC2 spot prices unavailable; offering on-demand only");
        return undefined;
      });
      for (const [type, t] of types) {
        const price = spot?.byType.get(type);
        if (price === undefined || (this.options.spotMaxPrice && price > this.options.spotMaxPrice)) continue;
        offers.push(offer(type, true, Boolean(t.gpu), price, seconds, "live"));
      }
    }
    return rank(offers);
  }

  /** The current spot price of `type` (in `zone` when known), or undefined when AWS gives none. */
  async spotPriceFor(type: string, zone?: string): Promise<number | undefined> {
    const prices = await this.spotPrices();
    return (zone ? prices.byZone.get(`${type}@${zone}`) : undefined) ?? prices.byType.get(type);
  }

  private spotPrices(): Promise<SpotPrices> {
    const now = (this.options.now ?? (() => new Date()))();
    if (!this.cache || now.getTime() - this.cache.at > SPOT_PRICE_CACHE_MS) {
      const prices = this.fetchSpotPrices(now);
      prices.catch(() => {
        this.cache = undefined; // try again next time
      });
      this.cache = { at: now.getTime(), prices };
    }
    return this.cache.prices;
  }

  private async fetchSpotPrices(now: Date): Promise<SpotPrices> {
    const ec2 = this.options.ec2!;
    const byType = new Map<string, number>();
    const byZone = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeSpotPriceHistoryCommand({
          InstanceTypes: Object.keys(EC2_INSTANCE_TYPES) as never,
          ProductDescriptions: ["Linux/UNIX"],
          StartTime: now,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const p of page.SpotPriceHistory ?? []) {
        const price = Number(p.SpotPrice);
        if (!p.InstanceType || !Number.isFinite(price)) continue;
        byType.set(p.InstanceType, Math.min(price, byType.get(p.InstanceType) ?? Number.POSITIVE_INFINITY));
        if (p.AvailabilityZone) byZone.set(`${p.InstanceType}@${p.AvailabilityZone}`, price);
      }
      token = page.NextToken || undefined;
    } while (token);
    return { byType, byZone };
  }
}

function offer(
  type: string,
  spot: boolean,
  gpu: boolean,
  hourlyRate: number,
  seconds: number,
  priceSource: string,
): ComputeOffer {
  return {
    provider: "aws",
    computeType: type,
    label: `AWS ${type}${spot ? " (spot)" : ""}`,
    spot,
    gpu,
    hourlyRate,
    estimatedMinutes: roundMinutes(seconds),
    estimatedCost: roundDollars(costOf(hourlyRate, seconds, EC2_MIN_BILLED_SECONDS)),
    priceSource,
  };
}
