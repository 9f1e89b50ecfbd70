/**
 * Typed callback data. Every button carries the short id of the workflow it belongs to, so a press on a
 * button from a finished or replaced workflow is recognised as stale. `pack` enforces Telegram's 64 bytes.
 */

export const CALLBACK_DATA_LIMIT = 64;

export interface Press {
  /** Workflow instance id, or "-" for buttons not tied to a workflow. */
  wf: string;
  action: string;
  arg?: string;
}

export function pack(press: Press): string {
  const data = [press.wf, press.action, press.arg].filter((p) => p !== undefined).join("|");
  if (Buffer.byteLength(data, "utf8") > CALLBACK_DATA_LIMIT) {
    throw new RangeError(`callback data over ${CALLBACK_DATA_LIMIT} bytes: ${data}`);
  }
  return data;
}

export function unpack(data: string): Press | undefined {
  const [wf, action, ...rest] = data.split("|");
  if (!wf || !action) return undefined;
  return rest.length > 0 ? { wf, action, arg: rest.join("|") } : { wf, action };
}

/** Button actions; args are short (indexes into the workflow's context, not names, which may be long). */
export const A = {
  // choosing data
  upload: "up",
  datasets: "ds",
  pickDataset: "dsp",
  templates: "tpl",
  useTemplate: "tpu",
  // schema
  acceptSchema: "acc",
  changeTarget: "tgt",
  chooseFeatures: "fts",
  setTask: "task",
  pickTarget: "pt",
  toggleFeature: "tf",
  allFeatures: "fall",
  noFeatures: "fnone",
  featuresDone: "fdone",
  page: "pg",
  noop: "nop",
  // model
  pickCategory: "cat",
  pickModel: "mdl",
  setParam: "prm",
  editParam: "pe",
  resetParams: "prst",
  paramsDone: "pdone",
  // where
  pickOffer: "off",
  allowSpot: "spot",
  launch: "go",
  // results
  nameModel: "nm",
  saveTemplate: "st",
  predictNow: "pn",
  trainAnother: "ta",
  // prediction
  pickPredictionModel: "pm",
  useDefaultColumn: "col",
  run: "run",
  predictAnyway: "pa",
  // stats
  pickTest: "tst",
  pickColumn: "pcl",
  anotherTest: "at",
  // everywhere
  back: "back",
  cancel: "cx",
  done: "done",
} as const;
