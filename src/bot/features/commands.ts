/** /start, /help, /train, /predict, /cancel, /status. */
import { Composer } from "grammy";
import type { TrainingContext } from "../../flows/training/machine.js";
import type { BotContext } from "../context.js";
import { beginWorkflow, currentWorkflow, sendQuietly } from "../workflows.js";

/** States in which a job runs: a new workflow must wait for it to end or be cancelled. */
export const BUSY_STATES = new Set([
  "LAUNCHING_TRAINING",
  "MONITORING_TRAINING",
  "TERMINATING",
  "RUNNING_PREDICTION",
]);

export const commandsFeature = new Composer<BotContext>();

commandsFeature.command("start", (ctx) =>
  ctx.reply(ctx.texts.welcome(ctx.from?.first_name ?? ""), { parse_mode: "HTML" }),
);

commandsFeature.command("help", (ctx) => ctx.reply(ctx.texts.help, { parse_mode: "HTML" }));

commandsFeature.command(["train", "predict"], async (ctx) => {
  const current = await currentWorkflow(ctx);
  if (current?.active && BUSY_STATES.has(current.state.split(".")[0])) {
    await ctx.reply(ctx.texts.busy);
    return;
  }
  await beginWorkflow(ctx, ctx.message?.text?.startsWith("/predict") ? "prediction" : "training");
});

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
