/**
 * Workflow buttons. Each press is answered at once. A press on a menu of another (finished or replaced)
 * workflow is stale and says so; a press the current step does not accept (a double press, an old menu of
 * this workflow) is answered and changes nothing.
 */
import { Composer } from "grammy";
import type { AnyEventObject } from "xstate";
import type { PredictionContext } from "../../flows/prediction/machine.js";
import type { StatsContext } from "../../flows/stats/machine.js";
import type { TrainingContext } from "../../flows/training/machine.js";
import { getModelSpec } from "../../ml/index.js";
import { workflowScopeOf } from "../callback-data.js";
import type { BotContext } from "../context.js";
import { predictionButtons, type sharedButtons, statsButtons, trainingButtons } from "../views/buttons.js";
import { beginWorkflow, type CurrentWorkflow, currentWorkflow, sendQuietly } from "../workflows.js";

export const buttonsFeature = new Composer<BotContext>();

type Press<Codec extends { unpack(data: string): unknown }> = NonNullable<ReturnType<Codec["unpack"]>>;
type SharedAction = keyof typeof sharedButtons.vocabulary;

buttonsFeature.on("callback_query:data", async (ctx, next) => {
  const data = ctx.callbackQuery.data;
  const scope = workflowScopeOf(data);
  if (!scope) return next(); // a screen's button, or not ours: the screens' features and `unhandled` answer
  const current = await currentWorkflow(ctx);
  const handle = current?.workflowId === scope ? handlerOf(ctx, data, current) : undefined;
  if (!handle) {
    await ctx.answerCallbackQuery({ text: ctx.texts.stale, show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await handle();
});

/**
 * What a press does, read with the workflow's own vocabulary: undefined when it has no such button (a stale
 * or foreign press). A press the current step does not accept (a double press) sends nothing.
 */
function handlerOf(
  ctx: BotContext,
  data: string,
  current: CurrentWorkflow,
): (() => Promise<unknown>) | undefined {
  const send = (event: AnyEventObject | undefined) => async () => {
    if (event) await sendQuietly(ctx, ctx.conv!, event);
  };
  if (current.type === "training") {
    const press = trainingButtons.unpack(data);
    const c = current.snapshot.context as TrainingContext;
    if (press?.action === "predictNow")
      return () => beginWorkflow(ctx, "prediction", { modelId: c.result?.modelId });
    if (press?.action === "trainAnother") return () => beginWorkflow(ctx, "training");
    return press && send(trainingEvent(press, c));
  }
  if (current.type === "stats") {
    const press = statsButtons.unpack(data);
    return press && send(statsEvent(press, current.snapshot.context as StatsContext));
  }
  const press = predictionButtons.unpack(data);
  return press && send(predictionEvent(press, current.snapshot.context as PredictionContext));
}

function trainingEvent(
  { action, arg }: Press<typeof trainingButtons>,
  c: TrainingContext,
): AnyEventObject | undefined {
  const index = Number(arg);
  const column = (i: number) => c.dataset?.columns[i]?.name;
  switch (action) {
    case "pickTarget":
      return column(index) ? { type: "user.pickTarget", column: column(index) } : undefined;
    case "toggleFeature":
      return column(index) ? { type: "user.toggleFeature", column: column(index) } : undefined;
    case "allFeatures":
      return { type: "user.setFeatures", columns: c.dataset?.columns.map((col) => col.name) ?? [] };
    case "noFeatures":
      return { type: "user.setFeatures", columns: [] };
    case "featuresDone":
      return { type: "user.featuresDone" };
    case "setTask":
      return { type: "user.setTask", task: arg === "c" ? "classification" : "regression" };
    case "pickCategory":
      return { type: "user.pickCategory", category: arg };
    case "pickModel":
      return { type: "user.pickModel", modelType: arg };
    case "setParam": {
      const [name, choice] = (arg ?? "").split(":");
      const options = c.modelType ? getModelSpec(c.modelType).choices?.[name] : undefined;
      const value = options?.[Number(choice)];
      return value === undefined
        ? undefined
        : { type: "user.setParam", name, value: value === "none" ? null : value };
    }
    case "editParam":
      return { type: "user.editParam", name: arg };
    case "resetParams":
      return { type: "user.resetParams" };
    case "paramsDone":
      return { type: "user.paramsDone" };
    case "allowSpot":
      return { type: "user.allowSpot", allow: arg === "1" };
    case "launch":
      return { type: "user.launch" };
    case "nameModel":
      return { type: "user.nameModel" };
    case "changeTarget":
      return { type: "user.changeTarget" };
    case "chooseFeatures":
      return { type: "user.chooseFeatures" };
    case "predictNow":
    case "trainAnother":
      return undefined; // they start a new workflow (handlerOf)
    default:
      return sharedEvent(action, arg, c.templates);
  }
}

function statsEvent(
  { action, arg }: Press<typeof statsButtons>,
  c: StatsContext,
): AnyEventObject | undefined {
  switch (action) {
    case "pickTest":
      return { type: "user.pickTest", test: arg };
    case "pickColumn": {
      const column = c.dataset?.columns[Number(arg)]?.name;
      return column ? { type: "user.pickColumn", column } : undefined;
    }
    case "anotherTest":
      return { type: "user.anotherTest" };
    default:
      return sharedEvent(action, arg, undefined);
  }
}

function predictionEvent(
  { action, arg }: Press<typeof predictionButtons>,
  c: PredictionContext,
): AnyEventObject | undefined {
  switch (action) {
    case "pickPredictionModel": {
      const model = c.models[Number(arg)];
      return model ? { type: "user.pickModel", modelId: model.modelId } : undefined;
    }
    case "useDefaultColumn":
      return { type: "user.useDefaultColumn" };
    case "run":
      return { type: "user.run" };
    case "predictAnyway":
      return { type: "user.predictAnyway" };
    default:
      return sharedEvent(action, arg, c.templates);
  }
}

/** The actions every workflow shares; indexes are resolved against the workflow's own context. */
function sharedEvent(
  action: SharedAction,
  arg: string | undefined,
  templates: ReadonlyArray<{ name: string }> | undefined,
): AnyEventObject | undefined {
  const index = Number(arg);
  switch (action) {
    case "upload":
      return { type: "user.chooseUpload" };
    case "datasets":
      return { type: "user.browseDatasets" };
    case "pickDataset":
      return { type: "user.pickDataset", datasetId: arg };
    case "templates":
      return { type: "user.browseTemplates" };
    case "useTemplate": {
      const template = templates?.[index];
      return template ? { type: "user.useTemplate", name: template.name } : undefined;
    }
    case "saveTemplate":
      return { type: "user.saveTemplate" };
    case "acceptSchema":
      return { type: "user.acceptSchema" };
    case "pickOffer":
      return { type: "user.pickOffer", index };
    case "page":
      return { type: "user.page", page: index };
    case "noop":
      return undefined;
    case "back":
      return { type: "user.back" };
    case "cancel":
      return { type: "user.cancel" };
    case "done":
      return { type: "user.done" };
  }
}
