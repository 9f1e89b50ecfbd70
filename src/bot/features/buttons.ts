/**
 * Inline buttons. Each press is answered at once; a press on a menu of another (finished or replaced)
 * workflow is stale and says so; a press the current state does not accept (a double press) is harmless.
 */
import { Composer } from "grammy";
import type { AnyEventObject } from "xstate";
import type { PredictionContext } from "../../flows/prediction/machine.js";
import { A, unpack } from "../callback-data.js";
import type { BotContext } from "../context.js";
import { beginWorkflow, currentWorkflow, sendQuietly } from "../workflows.js";

export const buttonsFeature = new Composer<BotContext>();

buttonsFeature.on("callback_query:data", async (ctx) => {
  const press = unpack(ctx.callbackQuery.data);
  const current = await currentWorkflow(ctx);
  if (!press || !current || current.workflowId !== press.wf) {
    await ctx.answerCallbackQuery({ text: ctx.texts.staleButton, show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  if (press.action === A.predictNow) {
    const modelId = (current.snapshot.context as { result?: { modelId: string } }).result?.modelId;
    await beginWorkflow(ctx, "prediction", { modelId });
    return;
  }
  if (press.action === A.trainAnother) {
    await beginWorkflow(ctx, "training");
    return;
  }
  const event = toEvent(press.action, press.arg, current.snapshot.context);
  if (event) await sendQuietly(ctx, ctx.conv!, event);
});

function toEvent(action: string, arg: string | undefined, context: unknown): AnyEventObject | undefined {
  switch (action) {
    case A.acceptSchema:
      return { type: "user.acceptSchema" };
    case A.pickModel:
      return arg ? { type: "user.pickModel", modelType: arg } : undefined;
    case A.pickPredictionModel: {
      const model = (context as PredictionContext).models?.[Number(arg)];
      return model ? { type: "user.pickModel", modelId: model.modelId } : undefined;
    }
    case A.cancel:
      return { type: "user.cancel" };
    case A.done:
      return { type: "user.done" };
    default:
      return undefined;
  }
}
