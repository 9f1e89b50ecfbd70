/**
 * sendDocument, sendPhoto and getFile (https://core.telegram.org/bots/api#sending-files). A file arrives as
 * a multipart part (named by the field or referenced with attach://name) or as a file_id sent before.
 */
import { badRequest, ERR, entityTooLarge } from "../api-error.js";
import { type ImageSize, imageSize } from "../image.js";
import { parseReplyMarkup } from "../markup.js";
import type { UploadedFile } from "../multipart.js";
import type { StoredFile } from "../store.js";
import { formatText } from "../text.js";
import type { TgMessage, TgPhotoSize } from "../types.js";
import type { MethodContext, MethodHandler } from "./context.js";
import { guessMimeType } from "./mime.js";
import { applyReplyKeyboard, replyTarget } from "./shared.js";

type InputFile = { upload: UploadedFile } | { existing: StoredFile };

/** Finds the file a send method refers to in `field`. */
function inputFile(ctx: MethodContext, field: "document" | "photo"): InputFile {
  const value = ctx.params.string(field);
  if (value?.startsWith("attach://")) {
    const upload = ctx.params.files.get(value.slice("attach://".length));
    if (!upload) throw badRequest(`there is no ${field} in the request`);
    return { upload };
  }
  const direct = ctx.params.files.get(field);
  if (direct) return { upload: direct };
  if (!value) throw badRequest(`there is no ${field} in the request`);
  const existing = ctx.store.file(value);
  if (!existing) throw badRequest(ERR.wrongFileIdentifier);
  return { existing };
}

function checkUploadSize(upload: UploadedFile, maxBytes: number): void {
  if (upload.bytes.length > maxBytes) throw entityTooLarge();
  if (upload.bytes.length === 0) throw badRequest("file must be non-empty");
}

/** The caption, reply target and keyboard every send method shares; checked before anything is stored. */
function commonContent(ctx: MethodContext, chatId: number): Omit<TgMessage, "message_id" | "chat" | "date"> {
  const caption = formatText(ctx.params.string("caption"), {
    parseMode: ctx.params.string("parse_mode"),
    entities: ctx.params.json("caption_entities", "can't parse entities JSON object"),
    kind: "caption",
    maxLength: ctx.limits.maxCaptionLength,
  });
  const markup = parseReplyMarkup(ctx.params, ctx.limits);
  const replyTo = replyTarget(ctx, chatId);
  applyReplyKeyboard(ctx.store, chatId, markup);
  return {
    from: ctx.store.bot,
    ...(replyTo ? { reply_to_message: replyTo } : {}),
    ...(caption.text ? { caption: caption.text } : {}),
    ...(caption.entities.length > 0 ? { caption_entities: caption.entities } : {}),
    ...(markup.inline ? { reply_markup: markup.inline } : {}),
  };
}

const sendDocument: MethodHandler = (ctx) => {
  const chatId = ctx.params.chatId();
  ctx.store.chatForBot(chatId);
  const input = inputFile(ctx, "document");
  if ("upload" in input) checkUploadSize(input.upload, ctx.limits.maxUploadBytes);
  const content = commonContent(ctx, chatId);
  ctx.flood.consume(chatId);
  const file =
    "existing" in input
      ? input.existing
      : ctx.store.addFile("document", input.upload.bytes, {
          fileName: input.upload.fileName,
          mimeType: guessMimeType(input.upload.fileName, input.upload.mimeType),
        });
  const document = {
    ...(file.fileName ? { file_name: file.fileName } : {}),
    ...(file.mimeType ? { mime_type: file.mimeType } : {}),
    file_id: file.fileId,
    file_unique_id: file.uniqueId,
    file_size: file.bytes.length,
  };
  return ctx.store.addMessage(chatId, { ...content, document });
};

/** Telegram's photo rules: ≤ 10 MB, a readable image, width + height ≤ 10000, aspect ratio ≤ 20. */
function checkPhoto(ctx: MethodContext, upload: UploadedFile): ImageSize {
  checkUploadSize(upload, ctx.limits.maxPhotoBytes);
  const size = imageSize(upload.bytes);
  if (!size || size.width === 0 || size.height === 0) throw badRequest(ERR.imageProcessFailed);
  const ratio = Math.max(size.width, size.height) / Math.min(size.width, size.height);
  if (size.width + size.height > 10000 || ratio > 20) throw badRequest(ERR.photoInvalidDimensions);
  return size;
}

const THUMBNAIL_BOXES = [90, 320, 800];

/** The PhotoSize list: smaller sizes first, the original last. Every size serves the original bytes. */
function photoSizes(ctx: MethodContext, original: StoredFile, fresh: boolean): TgPhotoSize[] {
  const width = original.width ?? 0;
  const height = original.height ?? 0;
  const sizes: TgPhotoSize[] = [];
  const longest = Math.max(width, height);
  for (const box of fresh ? THUMBNAIL_BOXES : []) {
    if (longest <= box) break;
    const scale = box / longest;
    const thumb = ctx.store.addFile("photo", original.bytes, { mimeType: "image/jpeg", width, height });
    sizes.push({
      file_id: thumb.fileId,
      file_unique_id: thumb.uniqueId,
      width: Math.round(width * scale),
      height: Math.round(height * scale),
      file_size: original.bytes.length,
    });
  }
  sizes.push({
    file_id: original.fileId,
    file_unique_id: original.uniqueId,
    width,
    height,
    file_size: original.bytes.length,
  });
  return sizes;
}

const sendPhoto: MethodHandler = (ctx) => {
  const chatId = ctx.params.chatId();
  ctx.store.chatForBot(chatId);
  const input = inputFile(ctx, "photo");
  if ("existing" in input && input.existing.kind !== "photo") throw badRequest(ERR.wrongFileIdentifier);
  const size = "upload" in input ? checkPhoto(ctx, input.upload) : undefined;
  const content = commonContent(ctx, chatId);
  ctx.flood.consume(chatId);
  const file =
    "existing" in input
      ? input.existing
      : ctx.store.addFile("photo", input.upload.bytes, {
          fileName: input.upload.fileName,
          mimeType: "image/jpeg",
          ...size,
        });
  const photo = photoSizes(ctx, file, "upload" in input);
  return ctx.store.addMessage(chatId, { ...content, photo });
};

const getFile: MethodHandler = (ctx) => {
  const fileId = ctx.params.string("file_id");
  if (!fileId) throw badRequest("file_id is empty");
  const file = ctx.store.file(fileId);
  if (!file) throw badRequest(ERR.invalidFileId);
  if (file.bytes.length > ctx.limits.maxDownloadBytes) throw badRequest(ERR.fileTooBig);
  return {
    file_id: file.fileId,
    file_unique_id: file.uniqueId,
    file_size: file.bytes.length,
    file_path: ctx.store.filePathFor(file),
  };
};

export const fileMethods: Record<string, MethodHandler> = { sendDocument, sendPhoto, getFile };
