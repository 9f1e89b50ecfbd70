/** /start, /help, /train, /predict, /stats, /cancel, /status. */
import { Composer } from "grammy";
import type { WorkflowType } from "../../flows/index.js";
import type { TrainingContext } from "../../flows/training/machine.js";
import type { BotContext } from "../context.js";
import { beginUnlessBusy, currentWorkflow, sendQuietly } from "../workflows.js";

export const commandsFeature = new Composer<BotContext>();

commandsFeature.command("start", (ctx) =>
  ctx.reply(ctx.texts.welcome(ctx.from?.first_name ?? ""), { parse_mode: "HTML" }),
);

commandsFeature.command("help", (ctx) => ctx.reply(ctx.texts.help, { parse_mode: "HTML" }));

const WORKFLOW_OF: Record<string, WorkflowType> = {
  train: "training",
  predict: "prediction",
  stats: "stats",
};

commandsFeature.command(["train", "predict", "stats"], (ctx) =>
  beginUnlessBusy(ctx, WORKFLOW_OF[ctx.message?.text?.slice(1).split(/[\s@]/)[0] ?? ""] ?? "training"),
);

commandsFeature.command("cancel", async (ctx) => {
  const current = await currentWorkflow(ctx);
  if (!current?.active || !(await sendQuietly(ctx, ctx.conv!, { type: "user.cancel" }))) {
    await ctx.reply(ctx.texts.nothingToCancel);
  }
});

commandsFeature.command("status", async (ctx) => {
  const current = await currentWorkflow(ctx);
  const state = current?.state.split(".")[0];
  if (current?.type === "training" && (state === "MONITORING_TRAINING" || state === "LAUNCHING_TRAINING")) {
    await ctx.deps.renderer.showProgress(ctx.conv!, current.snapshot.context as TrainingContext);
    return;
  }
  await ctx.reply(ctx.texts.noJob);
});
