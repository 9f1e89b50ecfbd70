/**
 * Compute selection: ranked offers from live prices where the provider has them (RunPod gpuTypes from the
 * fake, EC2 spot price history from the mock) and the dated static table otherwise; CPU-only models never
 * reach a GPU; selectComputeType keeps the seed's signature on top of the offers.
 */
import { DescribeSpotPriceHistoryCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Ec2OfferSource } from "../../src/cloud/aws/offers.js";
import { createComputeOffers, type OfferRequest, selectFromOffers } from "../../src/cloud/offers.js";
import { LambdaOfferSource, RunPodServerlessOfferSource } from "../../src/cloud/prediction-offers.js";
import { estimateTrainingSeconds, STATIC_PRICES_DATE } from "../../src/cloud/pricing.js";
import { RunPodGraphqlClient } from "../../src/cloud/runpod/client.js";
import { RunPodOfferSource } from "../../src/cloud/runpod/offers.js";
import { RunPodPodApi } from "../../src/cloud/runpod/pod-api.js";
import { InvalidParameterError } from "../../src/errors.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../fakes/runpod/server.js";

const ec2Mock = mockClient(EC2Client);
let fake: FakeRunPodServer;

beforeAll(async () => {
  fake = await startFakeRunPodServer();
});
afterAll(() => fake.close());
afterEach(() => {
  ec2Mock.reset();
  fake.clearFaults();
});

const request = (modelType: string, nRows = 5_000, nColumns = 12): OfferRequest => ({
  userId: 1,
  modelType,
  nRows,
  nColumns,
  sizeBytes: nRows * nColumns * 8,
});

function runpodOffers(options: { allowSpot?: boolean } = {}) {
  const client = new RunPodGraphqlClient({ apiUrl: fake.graphqlUrl, apiKey: fake.apiKey, timeoutMs: 2_000 });
  const api = new RunPodPodApi(client, { readDeadlineMs: 1_000 });
  return new RunPodOfferSource({ api, dataCenterId: "EU-RO-1", allowSpot: options.allowSpot ?? false });
}

describe("EC2 offers", () => {
  it("offer CPU instances only for CPU-only models, cheapest first, priced from the dated table", async () => {
    const offers = await new Ec2OfferSource({ allowSpot: false }).offers(request("random_forest"));
    expect(offers.map((o) => o.computeType)).toEqual([
      "c5.large",
      "m5.large",
      "r5.large",
      "c5.xlarge",
      "m5.xlarge",
      "r5.xlarge",
      "r5.2xlarge",
    ]);
    expect(offers.every((o) => !o.gpu && o.priceSource === `static ${STATIC_PRICES_DATE}`)).toBe(true);
    // provisioning + training, billed at least a minute
    const seconds = 150 + estimateTrainingSeconds("random_forest", 5_000, 12);
    expect(offers[0].estimatedMinutes).toBe(Math.ceil(seconds) / 60);
    expect(offers[0].estimatedCost).toBeCloseTo(Math.round((0.085 * seconds) / 3.6) / 1000, 3);
  });

  it("only an MLP may get the GPU instance; a large table skips machines too small for it", async () => {
    const mlp = await new Ec2OfferSource({ allowSpot: false }).offers(request("mlp"));
    expect(mlp.filter((o) => o.gpu).map((o) => o.computeType)).toEqual(["g4dn.xlarge"]);
    const big = await new Ec2OfferSource({ allowSpot: false }).offers(request("linear", 10_000_000, 40));
    // 10M × 40 cells as float64, 8 copies, plus headroom: about 30 GB
    expect(big.map((o) => o.computeType)).toEqual(["r5.xlarge", "r5.2xlarge"]);
  });

  it("adds spot offers at the live price, under the configured maximum", async () => {
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({
      SpotPriceHistory: [
        { InstanceType: "c5.large", AvailabilityZone: "us-east-1a", SpotPrice: "0.0310" },
        { InstanceType: "c5.large", AvailabilityZone: "us-east-1b", SpotPrice: "0.0290" },
        { InstanceType: "m5.large", AvailabilityZone: "us-east-1a", SpotPrice: "0.1100" },
      ],
    });
    const source = new Ec2OfferSource({
      ec2: new EC2Client({ region: "us-east-1" }),
      allowSpot: true,
      spotMaxPrice: 0.1,
    });
    const offers = await source.offers(request("logistic"));
    expect(offers[0]).toMatchObject({
      computeType: "c5.large",
      spot: true,
      hourlyRate: 0.029,
      priceSource: "live",
      label: "AWS c5.large (spot)",
    });
    expect(offers.filter((o) => o.spot).map((o) => o.computeType)).toEqual(["c5.large"]); // m5.large spot is over the max
    await source.offers(request("logistic"));
    expect(ec2Mock.commandCalls(DescribeSpotPriceHistoryCommand)).toHaveLength(1); // cached
  });

  it("keeps offering on-demand when the spot history cannot be read", async () => {
    ec2Mock.on(DescribeSpotPriceHistoryCommand).rejects(new Error("throttled"));
    const offers = await new Ec2OfferSource({
      ec2: new EC2Client({ region: "us-east-1" }),
      allowSpot: true,
    }).offers(request("linear"));
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.some((o) => o.spot)).toBe(false);
  });
});

describe("RunPod pod offers", () => {
  it("give nothing for CPU-only models", async () => {
    expect(await runpodOffers().offers(request("gradient_boosting"))).toEqual([]);
  });

  it("price MLP offers live, on Secure Cloud only (pods mount the volume), skipping unknown and out-of-stock GPUs", async () => {
    const offers = await runpodOffers().offers(request("mlp"));
    expect(offers.map((o) => o.label)).toEqual([
      "RunPod RTX A5000",
      "RunPod RTX 4090",
      "RunPod RTX 3090",
      "RunPod L4",
      "RunPod A100 PCIe",
    ]);
    expect(offers.every((o) => o.computeType.endsWith("/SECURE") && !o.spot)).toBe(true);
    expect(offers.every((o) => o.priceSource === "live" && o.gpu && o.provider === "runpod")).toBe(true);
    expect(offers[0]).toMatchObject({ computeType: "NVIDIA RTX A5000/SECURE", hourlyRate: 0.29 });
  });

  it("offer spot pods only when the operator opts in (RUNPOD_ALLOW_SPOT), and say so in the label", async () => {
    const offers = await runpodOffers({ allowSpot: true }).offers(request("mlp"));
    const spot = offers.filter((o) => o.spot);
    expect(spot.length).toBeGreaterThan(0);
    expect(spot.every((o) => o.label.endsWith("(spot)"))).toBe(true);
    expect(offers[0]).toMatchObject({ label: "RunPod RTX A5000 (spot)", hourlyRate: 0.17 });
  });

  it("leave out GPU types out of stock in the volume's data center", async () => {
    const a5000 = fake.catalog.find((g) => g.id === "NVIDIA RTX A5000")!;
    a5000.dataCenterStock = "None";
    try {
      const offers = await runpodOffers().offers(request("mlp"));
      expect(offers.map((o) => o.label)).not.toContain("RunPod RTX A5000");
      expect(offers[0].label).toBe("RunPod RTX 4090");
    } finally {
      a5000.dataCenterStock = undefined;
    }
  });

  it("fall back to the dated static table when the catalog is unreachable", async () => {
    fake.inject({ kind: "html-502", operation: "gpuTypes" }, 50);
    const offers = await runpodOffers().offers(request("mlp"));
    expect(offers[0]).toMatchObject({
      label: "RunPod RTX A5000",
      priceSource: `static ${STATIC_PRICES_DATE}`,
    });
  });
});

describe("selectComputeType on the offers", () => {
  it("returns the cheapest feasible type, and refuses unknown models", async () => {
    expect(await selectFromOffers(new Ec2OfferSource({ allowSpot: false }), 10, "random_forest")).toBe(
      "c5.large",
    );
    expect(await selectFromOffers(runpodOffers(), 500, "neural_network")).toBe("NVIDIA RTX A5000/SECURE");
    await expect(
      selectFromOffers(new Ec2OfferSource({ allowSpot: false }), 10, "deep_magic"),
    ).rejects.toThrow(InvalidParameterError);
  });
});

describe("prediction offers and the ranked list", () => {
  it("rank local, Lambda and Serverless cheapest first; a Lambda that would time out is not offered", async () => {
    const port = createComputeOffers({
      prediction: [
        new LambdaOfferSource({ functionName: "ml-agent-prediction", memoryMb: 3008, timeoutSeconds: 900 }),
        new RunPodServerlessOfferSource({ endpointId: "ep1" }),
      ],
    });
    const offers = await port.predictionOffers(request("logistic", 20_000, 10));
    expect(offers.map((o) => o.label)).toEqual(["This machine", "AWS Lambda (3008 MB)", "RunPod Serverless"]);
    expect(offers[1].estimatedCost).toBeLessThan(offers[2].estimatedCost);
    const tight = new LambdaOfferSource({ functionName: "f", memoryMb: 1024, timeoutSeconds: 3 });
    expect(await tight.offers(request("logistic", 1_000_000, 50))).toEqual([]);
  });

  it("leave out a Lambda function or a Serverless endpoint that does not exist", async () => {
    const request_ = request("logistic", 1_000, 5);
    const missing = async () => false;
    const lambda = new LambdaOfferSource({
      functionName: "gone",
      memoryMb: 1024,
      timeoutSeconds: 900,
      available: missing,
    });
    const serverless = new RunPodServerlessOfferSource({ endpointId: "gone", available: missing });
    expect(await lambda.offers(request_)).toEqual([]);
    expect(await serverless.offers(request_)).toEqual([]);
  });
});
