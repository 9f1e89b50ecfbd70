/**
 * A Bot API error answer. It never leaves the emulator as an exception: the router turns it into
 * Telegram's JSON envelope `{ ok: false, error_code, description, parameters? }`.
 * Texts are Telegram's own (collected from its answers as quoted in public bug reports); the few that
 * could not be confirmed say so next to their definition.
 */
export class TelegramApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
    this.name = "TelegramApiError";
  }
}

/** 400 "Bad Request: <detail>". */
export function badRequest(detail: string): TelegramApiError {
  return new TelegramApiError(400, `Bad Request: ${detail}`);
}

export const unauthorized = (): TelegramApiError => new TelegramApiError(401, "Unauthorized");
export const notFound = (): TelegramApiError => new TelegramApiError(404, "Not Found");
export const forbidden = (detail: string): TelegramApiError =>
  new TelegramApiError(403, `Forbidden: ${detail}`);
export const entityTooLarge = (): TelegramApiError => new TelegramApiError(413, "Request Entity Too Large");

/** 429 with `parameters.retry_after` in whole seconds, as grammY's auto-retry expects. */
export function tooManyRequests(retryAfterSeconds: number): TelegramApiError {
  return new TelegramApiError(429, `Too Many Requests: retry after ${retryAfterSeconds}`, {
    retry_after: retryAfterSeconds,
  });
}

export const conflictOtherGetUpdates = (): TelegramApiError =>
  new TelegramApiError(
    409,
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  );

export const conflictWebhookActive = (): TelegramApiError =>
  new TelegramApiError(
    409,
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
  );

/** Texts used by more than one method. */
export const ERR = {
  chatNotFound: "chat not found",
  messageTextEmpty: "message text is empty",
  messageTooLong: "message is too long",
  captionTooLong: "message caption is too long",
  buttonDataInvalid: "BUTTON_DATA_INVALID",
  notModified:
    "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
  editNotFound: "message to edit not found",
  cantBeEdited: "message can't be edited",
  noTextToEdit: "there is no text in the message to edit",
  // Not confirmed against Telegram; the mirror of the text above.
  noCaptionToEdit: "there is no caption in the message to edit",
  deleteNotFound: "message to delete not found",
  replyNotFound: "message to be replied not found",
  queryTooOld: "query is too old and response timeout expired or query ID is invalid",
  fileTooBig: "file is too big",
  invalidFileId: "invalid file_id",
  wrongFileIdentifier: "wrong file identifier/HTTP URL specified",
  markupJson: "can't parse reply keyboard markup JSON object",
  wrongAction: "wrong parameter action in request",
  commandInvalid: "BOT_COMMAND_INVALID",
  // Not confirmed against Telegram.
  commandDescriptionInvalid: "BOT_COMMAND_DESCRIPTION_INVALID",
  imageProcessFailed: "IMAGE_PROCESS_FAILED",
  photoInvalidDimensions: "PHOTO_INVALID_DIMENSIONS",
} as const;
