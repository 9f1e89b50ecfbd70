/**
 * The emulator's state: simulated users, chats with their transcripts, files, callback queries and bot
 * commands, plus the event stream the web page and the test driver listen to. Methods here assume their
 * arguments were validated; Telegram's checks live in the method handlers.
 */
import { randomBytes } from "node:crypto";
import { badRequest, ERR, forbidden } from "./api-error.js";
import type { TgBotCommand, TgCallbackQuery, TgChat, TgKeyboardButton, TgMessage, TgUser } from "./types.js";

/** A stored upload; `filePath` is set once getFile has handed it out. */
export interface StoredFile {
  fileId: string;
  uniqueId: string;
  kind: "document" | "photo";
  bytes: Buffer;
  fileName?: string;
  mimeType?: string;
  filePath?: string;
  width?: number;
  height?: number;
}

/** What changed in a chat, in the order it happened (`seq` grows by one per event). */
export type ChatEvent =
  | { type: "message"; seq: number; chatId: number; message: TgMessage }
  | { type: "edit"; seq: number; chatId: number; message: TgMessage }
  | { type: "delete"; seq: number; chatId: number; messageId: number }
  | {
      type: "callbackAnswer";
      seq: number;
      chatId: number;
      queryId: string;
      text?: string;
      showAlert: boolean;
      url?: string;
    }
  | { type: "chatAction"; seq: number; chatId: number; action: string }
  | { type: "commands"; seq: number; chatId: number }
  | { type: "keyboard"; seq: number; chatId: number; keyboard: ReplyKeyboard | null };

/** A reply keyboard shown under the input field (https://core.telegram.org/bots/api#replykeyboardmarkup). */
export interface ReplyKeyboard {
  keyboard: TgKeyboardButton[][];
  [option: string]: unknown;
}

type NewEvent = ChatEvent extends infer E ? (E extends ChatEvent ? Omit<E, "seq"> : never) : never;

export interface UserState {
  user: TgUser;
  /** The user has written to the bot, so the bot may write to them. */
  started: boolean;
  blocked: boolean;
}

export interface ChatState {
  chat: TgChat;
  nextMessageId: number;
  messages: Map<number, TgMessage>;
  replyKeyboard?: ReplyKeyboard | null;
}

interface QueryState {
  query: TgCallbackQuery;
  chatId: number;
  createdAtMs: number;
  answered: boolean;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const base64url = (s: string): string => Buffer.from(s).toString("base64url");

export class Store {
  readonly users = new Map<number, UserState>();
  readonly chats = new Map<number, ChatState>();
  readonly files = new Map<string, StoredFile>();
  readonly commands = new Map<string, TgBotCommand[]>();
  private readonly filesByPath = new Map<string, string>();
  private readonly queries = new Map<string, QueryState>();
  private readonly listeners = new Set<(event: ChatEvent) => void>();
  private seq = 0;
  counters = { file: 0, query: 0 };

  constructor(readonly bot: TgUser) {}

  /** Creates or updates a simulated user; their private chat has the same id. */
  upsertUser(
    id: number,
    profile: { firstName?: string; lastName?: string; username?: string; languageCode?: string },
  ) {
    const existing = this.users.get(id);
    const user: TgUser = {
      id,
      is_bot: false,
      first_name: profile.firstName ?? existing?.user.first_name ?? `User ${id}`,
      ...((profile.lastName ?? existing?.user.last_name)
        ? { last_name: profile.lastName ?? existing?.user.last_name }
        : {}),
      ...((profile.username ?? existing?.user.username)
        ? { username: profile.username ?? existing?.user.username }
        : {}),
      ...((profile.languageCode ?? existing?.user.language_code)
        ? { language_code: profile.languageCode ?? existing?.user.language_code }
        : {}),
    };
    const state = existing ?? { user, started: false, blocked: false };
    state.user = user;
    this.users.set(id, state);
    const chat = this.chats.get(id);
    const privateChat: TgChat = { id, type: "private", first_name: user.first_name };
    if (user.last_name) privateChat.last_name = user.last_name;
    if (user.username) privateChat.username = user.username;
    if (chat) chat.chat = privateChat;
    else this.chats.set(id, { chat: privateChat, nextMessageId: 1, messages: new Map() });
    return state;
  }

  /** Creates a group chat (negative id) the bot is a member of. */
  upsertGroup(chatId: number, title: string): TgChat {
    if (chatId >= 0) throw new RangeError("group chat ids are negative");
    const chat: TgChat = { id: chatId, type: "group", title };
    const state = this.chats.get(chatId);
    if (state) state.chat = chat;
    else this.chats.set(chatId, { chat, nextMessageId: 1, messages: new Map() });
    return chat;
  }

  /** The chat the bot wants to write to, or Telegram's error for why it can't. */
  chatForBot(chatId: number): ChatState {
    const chat = this.chats.get(chatId);
    if (!chat) throw badRequest(ERR.chatNotFound);
    const user = this.users.get(chatId);
    if (chat.chat.type === "private" && user) {
      if (user.blocked) throw forbidden("bot was blocked by the user");
      if (!user.started) throw forbidden("bot can't initiate conversation with a user");
    }
    return chat;
  }

  chat(chatId: number): ChatState | undefined {
    return this.chats.get(chatId);
  }

  /** Appends a message to a chat, numbering it like Telegram (per chat, from 1), and emits it. */
  addMessage(chatId: number, content: Omit<TgMessage, "message_id" | "chat" | "date">): TgMessage {
    const state = this.chats.get(chatId);
    if (!state) throw badRequest(ERR.chatNotFound);
    const message: TgMessage = {
      message_id: state.nextMessageId++,
      ...content,
      chat: { ...state.chat },
      date: nowSeconds(),
    };
    reorderFields(message);
    state.messages.set(message.message_id, message);
    this.emit({ type: "message", chatId, message: structuredClone(message) });
    return structuredClone(message);
  }

  setReplyKeyboard(chatId: number, keyboard: ReplyKeyboard | null): void {
    const state = this.chats.get(chatId);
    if (!state) return;
    state.replyKeyboard = keyboard;
    this.emit({ type: "keyboard", chatId, keyboard });
  }

  message(chatId: number, messageId: number): TgMessage | undefined {
    return this.chats.get(chatId)?.messages.get(messageId);
  }

  /** Stores an edited message (edit_date set) and emits it. */
  replaceMessage(chatId: number, message: TgMessage): TgMessage {
    message.edit_date = nowSeconds();
    this.chats.get(chatId)?.messages.set(message.message_id, message);
    this.emit({ type: "edit", chatId, message: structuredClone(message) });
    return structuredClone(message);
  }

  deleteMessage(chatId: number, messageId: number): boolean {
    const removed = this.chats.get(chatId)?.messages.delete(messageId) ?? false;
    if (removed) this.emit({ type: "delete", chatId, messageId });
    return removed;
  }

  /** The transcript of a chat in order, both sides, as the messages look now. */
  transcript(chatId: number): TgMessage[] {
    const state = this.chats.get(chatId);
    if (!state) return [];
    return [...state.messages.values()]
      .sort((a, b) => a.message_id - b.message_id)
      .map((m) => structuredClone(m));
  }

  addFile(
    kind: StoredFile["kind"],
    bytes: Buffer,
    meta: { fileName?: string; mimeType?: string; width?: number; height?: number },
  ): StoredFile {
    const n = ++this.counters.file;
    const prefix = kind === "photo" ? "AgACAgIAAxkBAA" : "BQACAgIAAxkBAA";
    const file: StoredFile = {
      fileId: `${prefix}${base64url(`${this.bot.id}:${n}:${randomBytes(6).toString("hex")}`)}`,
      uniqueId: `AgAD${base64url(String(n))}`,
      kind,
      bytes,
      ...meta,
    };
    this.files.set(file.fileId, file);
    return file;
  }

  file(fileId: string): StoredFile | undefined {
    return this.files.get(fileId);
  }

  /** The file_path getFile returns, e.g. "documents/file_3.csv". */
  filePathFor(file: StoredFile): string {
    if (!file.filePath) {
      const ext =
        /\.[A-Za-z0-9]{1,8}$/.exec(file.fileName ?? "")?.[0] ?? (file.kind === "photo" ? ".jpg" : "");
      file.filePath = `${file.kind === "photo" ? "photos" : "documents"}/file_${this.filesByPath.size}${ext}`;
    }
    this.filesByPath.set(file.filePath, file.fileId);
    return file.filePath;
  }

  fileByPath(path: string): StoredFile | undefined {
    const id = this.filesByPath.get(path);
    return id ? this.files.get(id) : undefined;
  }

  createQuery(from: TgUser, chatId: number, message: TgMessage, data: string): TgCallbackQuery {
    const n = ++this.counters.query;
    const id = `${BigInt(this.bot.id) * 1000000n + BigInt(n)}`;
    const query: TgCallbackQuery = {
      id,
      from,
      message: structuredClone(message),
      chat_instance: `${Math.abs(chatId) * 7919 + this.bot.id}`,
      data,
    };
    this.queries.set(id, { query, chatId, createdAtMs: Date.now(), answered: false });
    return structuredClone(query);
  }

  /** Marks a query answered; returns its chat, or undefined when unknown, answered or older than `ttlMs`. */
  answerQuery(id: string, ttlMs: number): number | undefined {
    const state = this.queries.get(id);
    if (!state || state.answered || Date.now() - state.createdAtMs > ttlMs) return undefined;
    state.answered = true;
    return state.chatId;
  }

  emit(event: NewEvent): void {
    const full = { ...event, seq: ++this.seq } as ChatEvent;
    for (const listener of this.listeners) listener(full);
  }

  /** The seq of the latest event; events after a marker have a larger seq. */
  lastSeq(): number {
    return this.seq;
  }

  subscribe(listener: (event: ChatEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Telegram returns message_id, from, chat, date first; keeps transcripts readable in test output. */
function reorderFields(message: TgMessage): void {
  const { message_id, from, chat, date, ...rest } = message;
  for (const key of Object.keys(message)) delete (message as unknown as Record<string, unknown>)[key];
  Object.assign(message, { message_id, ...(from ? { from } : {}), chat, date, ...rest });
}
