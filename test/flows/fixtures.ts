/** A dataset summary and offers the training-flow tests share. */
import type { ComputeOffer, DatasetSummary } from "../../src/flows/ports.js";

export const IRIS_SUMMARY: DatasetSummary = {
  datasetId: "ds-1",
  uri: "file:///data/datasets/user_1/ds-1.csv",
  fileName: "iris.csv",
  sizeBytes: 3870,
  nRows: 150,
  nColumns: 5,
  missingCells: 0,
  columns: [
    { name: "sepal_length", type: "numeric", missingPct: 0, unique: 35, task: "regression" },
    { name: "sepal_width", type: "numeric", missingPct: 0, unique: 23, task: "regression" },
    { name: "petal_length", type: "numeric", missingPct: 0, unique: 43, task: "regression" },
    {
      name: "id",
      type: "identifier",
      missingPct: 0,
      unique: 150,
      targetProblem: "it looks like an identifier",
    },
    { name: "species", type: "categorical", missingPct: 0, unique: 3, task: "classification" },
  ],
  suggestion: {
    target: "species",
    task: "classification",
    features: ["sepal_length", "sepal_width", "petal_length"],
    confidence: 0.9,
    reason: "name",
  },
};

export const LOCAL_OFFER: ComputeOffer = {
  provider: "local",
  computeType: "local",
  label: "This machine",
  spot: false,
  gpu: false,
  hourlyRate: 0,
  estimatedMinutes: 1,
  estimatedCost: 0,
  priceSource: "free",
};
