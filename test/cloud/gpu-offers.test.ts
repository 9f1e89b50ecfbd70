/** GPU offers for the models src/ml/gpu trains: the MLP always, boosting from GPU_BOOSTING_MIN_CELLS on. */
import { EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { Ec2OfferSource } from "../../src/cloud/aws/offers.js";
import type { OfferRequest } from "../../src/cloud/offers.js";
import { GPU_BOOSTING_MIN_CELLS, mayUseGpu } from "../../src/cloud/pricing.js";

const ec2Mock = mockClient(EC2Client);
afterEach(() => ec2Mock.reset());

const request = (modelType: string, nRows: number, nColumns: number): OfferRequest => ({
  userId: 1,
  modelType,
  nRows,
  nColumns,
  sizeBytes: nRows * nColumns * 8,
});

describe("GPU offers", () => {
  it("boosting gets the GPU instance above the size threshold only; random forests never", async () => {
    const source = new Ec2OfferSource({ allowSpot: false });
    const gpuTypes = async (r: OfferRequest) =>
      (await source.offers(r)).filter((o) => o.gpu).map((o) => o.computeType);
    const rows = Math.ceil(GPU_BOOSTING_MIN_CELLS / 28);
    expect(await gpuTypes(request("xgboost", 5_000, 28))).toEqual([]);
    expect(await gpuTypes(request("xgboost", rows, 28))).toEqual(["g4dn.xlarge"]);
    expect(await gpuTypes(request("hist_gradient_boosting", rows, 28))).toEqual(["g4dn.xlarge"]);
    expect(await gpuTypes(request("random_forest", rows, 28))).toEqual([]);
  });

  it("mayUseGpu: the MLP at any size, boosters by cells, others not at all", () => {
    expect(mayUseGpu("mlp", { nRows: 100, nColumns: 5 })).toBe(true);
    expect(mayUseGpu("lightgbm", { nRows: 100, nColumns: 5 })).toBe(false);
    expect(mayUseGpu("lightgbm", { nRows: GPU_BOOSTING_MIN_CELLS, nColumns: 1 })).toBe(true);
    expect(mayUseGpu("svm", { nRows: 10_000_000, nColumns: 50 })).toBe(false);
  });
});
