/**
 * Files: a document goes to the workflow that is waiting for data; sent outside any flow, it starts training.
 */
import { Composer } from "grammy";
import { AppError, DataLimitError } from "../../errors.js";
import type { BotContext } from "../context.js";
import { downloadTelegramFile } from "../files.js";
import { errorText } from "../views/common.js";
import { beginWorkflow, currentWorkflow, sendQuietly } from "../workflows.js";

/** The steps in which a workflow takes a file. */
const TAKES_A_FILE = new Set(["CHOOSING_DATA_SOURCE.ready", "AWAITING_DATA.idle"]);
const LOADING_WAIT_STEPS = 100;

export const documentsFeature = new Composer<BotContext>();

documentsFeature.on("message:document", async (ctx) => {
  const t = ctx.texts;
  let current = await currentWorkflow(ctx);
  if (!current?.active) {
    await beginWorkflow(ctx, "training");
    current = await currentWorkflow(ctx);
  }
  // A new workflow first lists what the user has (models, datasets); a file sent meanwhile waits for it.
  for (let i = 0; i < LOADING_WAIT_STEPS && current?.state === "CHOOSING_DATA_SOURCE.loading"; i++) {
    await new Promise((r) => setTimeout(r, 50));
    current = await currentWorkflow(ctx);
  }
  if (current?.state.startsWith("AWAITING_DATA.reading")) {
    await ctx.reply(t.files.stillReading);
    return;
  }
  if (!current || !TAKES_A_FILE.has(current.state)) {
    await ctx.reply(t.files.notNow);
    return;
  }
  const { config, stagingDir } = ctx.deps;
  const maxBytes = Math.min(config.telegram.maxDownloadBytes, config.limits.maxUploadBytes);
  try {
    const file = await downloadTelegramFile(
      ctx.api,
      {
        apiRoot: config.telegram.apiRoot,
        token: ctx.api.token,
        maxBytes,
        timeoutMs: config.limits.downloadTimeoutMs,
        stagingDir,
        userId: ctx.conv!.userId,
      },
      ctx.message.document,
    );
    await sendQuietly(ctx, ctx.conv!, {
      type: "user.fileReceived",
      stagingPath: file.path,
      fileName: file.fileName,
      sizeBytes: file.sizeBytes,
      messageId: ctx.message.message_id,
    });
  } catch (error) {
    if (error instanceof DataLimitError) {
      await ctx.reply(t.files.overLimit(Math.floor(maxBytes / 1024 / 1024)));
      return;
    }
    if (!(error instanceof AppError)) throw error;
    const info = {
      code: error.code,
      errorClass: error.name,
      message: error.message,
      recovery: error.recoverySuggestion,
    };
    await ctx.reply(errorText(t, info), { parse_mode: "HTML" });
  }
});

documentsFeature.on(["message:photo", "message:video", "message:audio", "message:voice"], (ctx) =>
  ctx.reply(ctx.texts.files.notADocument),
);
