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
import { A, unpack } from "../callback-data.js";
import type { BotContext } from "../context.js";
import { beginWorkflow, type CurrentWorkflow, currentWorkflow, sendQuietly } from "../workflows.js";

export const buttonsFeature = new Composer<BotContext>();

buttonsFeature.on("callback_query:data", async (ctx, next) => {
  const press = unpack(ctx.callbackQuery.data);
  if (!press || press.wf === "-") return next(); // not a workflow button
  const current = await currentWorkflow(ctx);
  if (!current || current.workflowId !== press.wf) {
    await ctx.answerCallbackQuery({ text: ctx.texts.stale, show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  if (press.action === A.noop) return;
  if (press.action === A.predictNow) {
    const modelId = (current.snapshot.context as TrainingContext).result?.modelId;
    await beginWorkflow(ctx, "prediction", { modelId });
    return;
  }
  if (press.action === A.trainAnother) {
    await beginWorkflow(ctx, "training");
    return;
  }
  const event = toEvent(press.action, press.arg, current);
  if (event) await sendQuietly(ctx, ctx.conv!, event);
});

/** A button press as a machine event; indexes are resolved against the workflow's own context. */
export function toEvent(
  action: string,
  arg: string | undefined,
  current: CurrentWorkflow,
): AnyEventObject | undefined {
  const index = Number(arg);
  if (current.type === "training") {
    const c = current.snapshot.context as TrainingContext;
    const column = (i: number) => c.dataset?.columns[i]?.name;
    switch (action) {
      case A.pickTarget:
        return column(index) ? { type: "user.pickTarget", column: column(index) } : undefined;
      case A.toggleFeature:
        return column(index) ? { type: "user.toggleFeature", column: column(index) } : undefined;
      case A.allFeatures:
        return { type: "user.setFeatures", columns: c.dataset?.columns.map((col) => col.name) ?? [] };
      case A.noFeatures:
        return { type: "user.setFeatures", columns: [] };
      case A.featuresDone:
        return { type: "user.featuresDone" };
      case A.setTask:
        return { type: "user.setTask", task: arg === "c" ? "classification" : "regression" };
      case A.pickCategory:
        return { type: "user.pickCategory", category: arg };
      case A.pickModel:
        return { type: "user.pickModel", modelType: arg };
      case A.setParam: {
        const [name, choice] = (arg ?? "").split(":");
        const options = c.modelType ? getModelSpec(c.modelType).choices?.[name] : undefined;
        const value = options?.[Number(choice)];
        return value === undefined
          ? undefined
          : { type: "user.setParam", name, value: value === "none" ? null : value };
      }
      case A.editParam:
        return { type: "user.editParam", name: arg };
      case A.resetParams:
        return { type: "user.resetParams" };
      case A.paramsDone:
        return { type: "user.paramsDone" };
      case A.allowSpot:
        return { type: "user.allowSpot", allow: arg === "1" };
      case A.launch:
        return { type: "user.launch" };
      case A.nameModel:
        return { type: "user.nameModel" };
      case A.saveTemplate:
        return { type: "user.saveTemplate" };
      case A.useTemplate: {
        const template = c.templates?.[index];
        return template ? { type: "user.useTemplate", name: template.name } : undefined;
      }
    }
  } else if (current.type === "stats") {
    const c = current.snapshot.context as StatsContext;
    switch (action) {
      case A.pickTest:
        return { type: "user.pickTest", test: arg };
      case A.pickColumn: {
        const column = c.dataset?.columns[index]?.name;
        return column ? { type: "user.pickColumn", column } : undefined;
      }
      case A.anotherTest:
        return { type: "user.anotherTest" };
    }
  } else {
    const c = current.snapshot.context as PredictionContext;
    switch (action) {
      case A.pickPredictionModel: {
        const model = c.models[index];
        return model ? { type: "user.pickModel", modelId: model.modelId } : undefined;
      }
      case A.useDefaultColumn:
        return { type: "user.useDefaultColumn" };
      case A.run:
        return { type: "user.run" };
      case A.predictAnyway:
        return { type: "user.predictAnyway" };
      case A.saveTemplate:
        return { type: "user.saveTemplate" };
      case A.useTemplate: {
        const template = c.templates?.[index];
        return template ? { type: "user.useTemplate", name: template.name } : undefined;
      }
    }
  }
  switch (action) {
    case A.upload:
      return { type: "user.chooseUpload" };
    case A.datasets:
      return { type: "user.browseDatasets" };
    case A.pickDataset:
      return { type: "user.pickDataset", datasetId: arg };
    case A.templates:
      return { type: "user.browseTemplates" };
    case A.acceptSchema:
      return { type: "user.acceptSchema" };
    case A.changeTarget:
      return { type: "user.changeTarget" };
    case A.chooseFeatures:
      return { type: "user.chooseFeatures" };
    case A.pickOffer:
      return { type: "user.pickOffer", index };
    case A.page:
      return { type: "user.page", page: index };
    case A.back:
      return { type: "user.back" };
    case A.cancel:
      return { type: "user.cancel" };
    case A.done:
      return { type: "user.done" };
    default:
      return undefined;
  }
}
