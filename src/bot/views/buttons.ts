/**
 * The workflows' button families (codecs in ../callback-data.ts): one vocabulary per workflow, each with the
 * actions every workflow shares. Codes are the wire format of buttons already sent: never change one.
 */
import { workflowButtons } from "../callback-data.js";

/** Choosing data, offers, paging and navigation: on every workflow's screens. */
const SHARED = {
  upload: "up",
  datasets: "ds",
  pickDataset: "dsp",
  templates: "tpl",
  useTemplate: "tpu",
  saveTemplate: "st",
  acceptSchema: "acc",
  pickOffer: "off",
  page: "pg",
  noop: "nop",
  back: "back",
  cancel: "cx",
  done: "done",
} as const;

export const sharedButtons = workflowButtons(SHARED);

export const trainingButtons = workflowButtons({
  ...SHARED,
  changeTarget: "tgt",
  chooseFeatures: "fts",
  setTask: "task",
  pickTarget: "pt",
  toggleFeature: "tf",
  allFeatures: "fall",
  noFeatures: "fnone",
  featuresDone: "fdone",
  pickCategory: "cat",
  pickModel: "mdl",
  setParam: "prm",
  editParam: "pe",
  resetParams: "prst",
  paramsDone: "pdone",
  allowSpot: "spot",
  launch: "go",
  nameModel: "nm",
  predictNow: "pn",
  trainAnother: "ta",
});

export const predictionButtons = workflowButtons({
  ...SHARED,
  pickPredictionModel: "pm",
  useDefaultColumn: "col",
  run: "run",
  predictAnyway: "pa",
});

export const statsButtons = workflowButtons({
  ...SHARED,
  pickTest: "tst",
  pickColumn: "pcl",
  anotherTest: "at",
});
