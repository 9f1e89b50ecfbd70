/**
 * The Telegram objects the emulator stores and returns, with the field names of the Bot API
 * (https://core.telegram.org/bots/api#available-types). Only the subset the emulator produces.
 */

/** https://core.telegram.org/bots/api#user */
export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** https://core.telegram.org/bots/api#chat */
export interface TgChat {
  id: number;
  type: "private" | "group" | "supergroup";
  first_name?: string;
  last_name?: string;
  username?: string;
  title?: string;
}

/** https://core.telegram.org/bots/api#messageentity */
export interface TgMessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
}

/** https://core.telegram.org/bots/api#inlinekeyboardbutton */
export interface TgInlineButton {
  text: string;
  callback_data?: string;
  url?: string;
  [other: string]: unknown;
}

/** https://core.telegram.org/bots/api#keyboardbutton (text only; requests are not emulated) */
export interface TgKeyboardButton {
  text: string;
  [other: string]: unknown;
}

/** One of the four reply_markup shapes. */
export type TgReplyMarkup =
  | { inline_keyboard: TgInlineButton[][] }
  | {
      keyboard: TgKeyboardButton[][];
      resize_keyboard?: boolean;
      one_time_keyboard?: boolean;
      [k: string]: unknown;
    }
  | { remove_keyboard: true; selective?: boolean }
  | { force_reply: true; input_field_placeholder?: string; selective?: boolean };

/** https://core.telegram.org/bots/api#document */
export interface TgDocument {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size?: number;
}

/** https://core.telegram.org/bots/api#photosize */
export interface TgPhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

/** https://core.telegram.org/bots/api#message */
export interface TgMessage {
  message_id: number;
  from?: TgUser;
  chat: TgChat;
  date: number;
  edit_date?: number;
  message_thread_id?: number;
  reply_to_message?: TgMessage;
  text?: string;
  entities?: TgMessageEntity[];
  caption?: string;
  caption_entities?: TgMessageEntity[];
  document?: TgDocument;
  photo?: TgPhotoSize[];
  reply_markup?: { inline_keyboard: TgInlineButton[][] };
}

/** https://core.telegram.org/bots/api#callbackquery */
export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message?: TgMessage;
  chat_instance: string;
  data?: string;
}

/** https://core.telegram.org/bots/api#update */
export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  callback_query?: TgCallbackQuery;
}

/** https://core.telegram.org/bots/api#file */
export interface TgFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_path?: string;
}

/** https://core.telegram.org/bots/api#botcommand */
export interface TgBotCommand {
  command: string;
  description: string;
}

/** The JSON envelope of every Bot API answer. */
export type ApiResponse =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };
