/**
 * reply_markup validation (https://core.telegram.org/bots/api#inlinekeyboardmarkup). Inline keyboards
 * are stored on the message; reply keyboards change the chat's input area and are returned separately.
 */
import { badRequest, ERR } from "./api-error.js";
import type { Limits } from "./limits.js";
import type { Params } from "./params.js";
import type { TgInlineButton, TgKeyboardButton } from "./types.js";

const BUTTON_ACTIONS = [
  "url",
  "callback_data",
  "web_app",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
];

/** The parsed reply_markup parameter. */
export interface Markup {
  inline?: { inline_keyboard: TgInlineButton[][] };
  /** A reply keyboard to show, or null to remove the one shown. */
  keyboard?: { keyboard: TgKeyboardButton[][]; [k: string]: unknown } | null;
}

const buttonError = (detail: string) => badRequest(`can't parse inline keyboard button: ${detail}`);

export function parseReplyMarkup(params: Params, limits: Limits): Markup {
  const markup = params.json<Record<string, unknown>>("reply_markup", ERR.markupJson);
  if (markup === undefined) return {};
  if (typeof markup !== "object" || markup === null) throw badRequest(ERR.markupJson);
  if ("inline_keyboard" in markup)
    return { inline: { inline_keyboard: inlineRows(markup.inline_keyboard, limits) } };
  if ("keyboard" in markup) {
    const rows = markup.keyboard;
    if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) throw badRequest(ERR.markupJson);
    const keyboard = rows.map((row: unknown[]) =>
      row.map((b) => (typeof b === "string" ? { text: b } : (b as TgKeyboardButton))),
    );
    return { keyboard: { ...markup, keyboard } };
  }
  if (markup.remove_keyboard === true) return { keyboard: null };
  if (markup.force_reply === true) return {};
  throw badRequest(ERR.markupJson);
}

function inlineRows(rows: unknown, limits: Limits): TgInlineButton[][] {
  if (!Array.isArray(rows))
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
  return rows.map((row) => {
    if (!Array.isArray(row))
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    return row.map((button) => inlineButton(button, limits));
  });
}

function inlineButton(value: unknown, limits: Limits): TgInlineButton {
  if (typeof value !== "object" || value === null)
    throw buttonError("InlineKeyboardButton must be an Object");
  const button = value as TgInlineButton;
  if (typeof button.text !== "string") throw buttonError('Field "text" must be of type String');
  if (!BUTTON_ACTIONS.some((action) => action in button)) {
    throw buttonError("Text buttons are unallowed in the inline keyboard");
  }
  if ("callback_data" in button) {
    const bytes = typeof button.callback_data === "string" ? Buffer.byteLength(button.callback_data) : 0;
    if (bytes < 1 || bytes > limits.maxCallbackDataBytes) throw badRequest(ERR.buttonDataInvalid);
  }
  if ("url" in button && !isButtonUrl(button.url)) throw badRequest("BUTTON_URL_INVALID");
  return { ...button };
}

function isButtonUrl(url: unknown): boolean {
  if (typeof url !== "string") return false;
  try {
    return ["http:", "https:", "tg:"].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
