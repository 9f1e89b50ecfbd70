/**
 * The simulated Telegram clients: what a user does (send text, upload a document or photo, press a button)
 * becomes a message in the chat and an update for the bot. Used by tests and by the web page.
 */

import { imageSize } from "./image.js";
import { guessMimeType } from "./methods/mime.js";
import type { Store } from "./store.js";
import { formatText } from "./text.js";
import type { TgMessage, TgUser } from "./types.js";
import type { UpdateQueue } from "./updates.js";

/** A user's name and language as the bot sees them in `from`. */
export interface UserProfile {
  firstName?: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

/** Where a user action happens: their private chat unless a group chat id is given. */
export interface UserActionOptions {
  chatId?: number;
  replyToMessageId?: number;
}

const USER_TEXT_LIMIT = 4096;

export class UserSide {
  constructor(
    private readonly store: Store,
    private readonly updates: UpdateQueue,
  ) {}

  userProfile(userId: number, profile: UserProfile = {}): TgUser {
    return structuredClone(this.store.upsertUser(userId, profile).user);
  }

  /** Creates a group chat with a negative id; users post to it with `{ chatId }`. */
  group(chatId: number, title: string): void {
    this.store.upsertGroup(chatId, title);
  }

  /** Simulates the user blocking (or unblocking) the bot. */
  blockBot(userId: number, blocked = true): void {
    this.ensureUser(userId).blocked = blocked;
  }

  /** The user sends text; "/commands" get a bot_command entity, as Telegram clients add. */
  sendText(userId: number, text: string, options: UserActionOptions = {}): TgMessage {
    const formatted = formatText(text, { kind: "text", maxLength: USER_TEXT_LIMIT });
    return this.post(userId, options, {
      text: formatted.text,
      ...(formatted.entities.length > 0 ? { entities: formatted.entities } : {}),
    });
  }

  /** The user uploads a file as a document. */
  sendDocument(
    userId: number,
    fileName: string,
    bytes: Uint8Array,
    mimeType?: string,
    caption?: string,
    options: UserActionOptions = {},
  ): TgMessage {
    const file = this.store.addFile("document", Buffer.from(bytes), {
      fileName,
      mimeType: guessMimeType(fileName, mimeType),
    });
    const document = {
      file_name: fileName,
      mime_type: file.mimeType,
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_size: file.bytes.length,
    };
    return this.post(userId, options, { document, ...(caption ? { caption } : {}) });
  }

  /** The user sends an image as a photo (PNG, JPEG, GIF or WebP). */
  sendPhoto(userId: number, bytes: Uint8Array, caption?: string, options: UserActionOptions = {}): TgMessage {
    const size = imageSize(Buffer.from(bytes));
    if (!size) throw new Error("sendPhoto: not a PNG, JPEG, GIF or WebP image");
    const file = this.store.addFile("photo", Buffer.from(bytes), { mimeType: "image/jpeg", ...size });
    const photo = [
      { file_id: file.fileId, file_unique_id: file.uniqueId, ...size, file_size: file.bytes.length },
    ];
    return this.post(userId, options, { photo, ...(caption ? { caption } : {}) });
  }

  /**
   * The user presses an inline button. Like a real client, only a button that is on the message now can be
   * pressed. Returns the callback query id the bot must answer.
   */
  pressButton(
    userId: number,
    messageId: number,
    callbackData: string,
    options: UserActionOptions = {},
  ): string {
    const user = this.ensureUser(userId);
    const chatId = options.chatId ?? userId;
    const message = this.store.message(chatId, messageId);
    if (!message) throw new Error(`pressButton: chat ${chatId} has no message ${messageId}`);
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    if (!buttons.some((b) => b.callback_data === callbackData)) {
      throw new Error(`pressButton: message ${messageId} has no button with callback_data "${callbackData}"`);
    }
    user.started = true;
    const query = this.store.createQuery(user.user, chatId, message, callbackData);
    this.updates.push({ callback_query: query });
    return query.id;
  }

  private ensureUser(userId: number) {
    return this.store.users.get(userId) ?? this.store.upsertUser(userId, {});
  }

  private post(userId: number, options: UserActionOptions, content: Partial<TgMessage>): TgMessage {
    const user = this.ensureUser(userId);
    const chatId = options.chatId ?? userId;
    const chat = this.store.chat(chatId);
    if (!chat) throw new Error(`chat ${chatId} does not exist; create a group with group(chatId, title)`);
    if (chat.chat.type === "private" && chatId !== userId) {
      throw new Error(`user ${userId} cannot post in the private chat of user ${chatId}`);
    }
    user.started = true;
    const replyTo = options.replyToMessageId
      ? this.store.message(chatId, options.replyToMessageId)
      : undefined;
    const message = this.store.addMessage(chatId, {
      from: structuredClone(user.user),
      ...(replyTo ? { reply_to_message: withoutNestedReply(replyTo) } : {}),
      ...content,
    });
    this.updates.push({ message });
    return message;
  }
}

/** Telegram includes the replied-to message one level deep only. */
function withoutNestedReply(message: TgMessage): TgMessage {
  const { reply_to_message: _nested, ...rest } = structuredClone(message);
  return rest;
}
