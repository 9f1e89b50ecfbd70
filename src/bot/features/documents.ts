/**
 * Files: a document goes to the workflow that is waiting for data; sent outside any flow, it starts training.
 */
import { Composer } from "grammy";
import { AppError, DataLimitError } from "../../errors.js";
import type { BotContext } from "../context.js";
import { downloadTelegramFile } from "../files.js";
import { errorText } from "../views/common.js";
import { beginWorkflow, currentWorkflow, sendQuietly } from "../workflows.js";

export const documentsFeature = new Composer<BotContext>();

documentsFeature.on("message:document", async (ctx) => {
  const document = ctx.message.document;
  let current = await currentWorkflow(ctx);
  if (!current?.active) {
    await beginWorkflow(ctx, "training");
    current = await currentWorkflow(ctx);
  }
  if (current?.state !== "AWAITING_DATA.idle") {
    await ctx.reply(ctx.texts.useButtons);
    return;
  }
  const { config, stagingDir } = ctx.deps;
  const maxBytes = Math.min(config.telegram.maxDownloadBytes, config.limits.maxUploadBytes);
  let file: Awaited<ReturnType<typeof downloadTelegramFile>>;
  try {
    file = await downloadTelegramFile(
      ctx.api,
      {
        apiRoot: config.telegram.apiRoot,
        token: ctx.api.token,
        maxBytes,
        stagingDir,
        userId: ctx.conv!.userId,
      },
      document,
    );
  } catch (error) {
    if (error instanceof DataLimitError) {
      const size = Number(error.details.sizeBytes ?? 0) / 1024 / 1024;
      await ctx.reply(ctx.texts.fileTooBig(size, Math.floor(maxBytes / 1024 / 1024)));
      return;
    }
    if (error instanceof AppError) {
      await ctx.reply(
        errorText(ctx.texts, {
          code: error.code,
          errorClass: error.name,
          message: error.message,
          recovery: error.recoverySuggestion,
        }),
        {
          parse_mode: "HTML",
        },
      );
      return;
    }
    throw error;
  }
  await sendQuietly(ctx, ctx.conv!, {
    type: "user.fileReceived",
    stagingPath: file.path,
    fileName: file.fileName,
    sizeBytes: file.sizeBytes,
    messageId: ctx.message.message_id,
  });
});

documentsFeature.on(["message:photo", "message:video", "message:audio", "message:voice"], (ctx) =>
  ctx.reply(ctx.texts.notADocument),
);
