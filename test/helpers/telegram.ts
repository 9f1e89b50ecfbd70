/**
 * A test driver over the Bot API emulator: start it, point grammY at `tg.apiRoot`, then act as users.
 *
 *   const tg = await startFakeTelegram();
 *   const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
 *   const alice = tg.user(111, { languageCode: "en" });
 *   await alice.send("/start");
 *   const menu = await alice.waitFor(/Welcome/);   // bot messages or edits since alice's last action
 *   await alice.click(/Accept/);
 *
 * `waitFor` looks at everything the bot did in the chat since the user's last action (send, upload,
 * click, or an explicit `mark()`), so a reply that arrived before `waitFor` was called is not missed,
 * and a message from before the action is never mistaken for the answer. On timeout it throws with the
 * transcript and the failed Bot API calls.
 */

import type { CallLogEntry } from "../../src/playground/bot-api/call-log.js";
import {
  type BotApiServer,
  type BotApiServerOptions,
  startBotApiServer,
} from "../../src/playground/bot-api/server.js";
import type { ChatEvent } from "../../src/playground/bot-api/store.js";
import type { TgMessage } from "../../src/playground/bot-api/types.js";
import type { UserProfile } from "../../src/playground/bot-api/user-side.js";

export type { TgMessage } from "../../src/playground/bot-api/types.js";

/** A message predicate, a RegExp or a substring of the message's text, caption or file name. */
export type MessageMatcher = RegExp | string | ((message: TgMessage) => boolean);

/** A document the bot sent, with its bytes. */
export interface BotDocument {
  message: TgMessage;
  fileName?: string;
  mimeType?: string;
  caption?: string;
  bytes: Buffer;
}

export interface WaitOptions {
  /** Default 10 000 ms. */
  timeoutMs?: number;
}

export interface FakeTelegram {
  server: BotApiServer;
  apiRoot: string;
  token: string;
  /** Every Bot API call the bot made, oldest first. */
  readonly calls: readonly CallLogEntry[];
  callsTo(method: string): CallLogEntry[];
  /** A simulated user; acting in their private chat (chat id = user id). */
  user(id: number, profile?: UserProfile): TestUser;
  /** Creates a group chat (negative id); `user.inChat(groupId)` acts there. */
  group(chatId: number, title?: string): void;
  close(): Promise<void>;
}

/** How long a wait for a reply may take: a first upload starts a sandbox process, slow on a busy machine. */
const DEFAULT_TIMEOUT_MS = 30_000;

export async function startFakeTelegram(options: BotApiServerOptions = {}): Promise<FakeTelegram> {
  const server = await startBotApiServer({ web: false, ...options });
  const events: ChatEvent[] = [];
  const waiters = new Set<() => void>();
  server.subscribe((event) => {
    events.push(event);
    for (const wake of waiters) wake();
  });
  const hub: EventHub = { server, events, waiters };
  return {
    server,
    apiRoot: server.apiRoot,
    token: server.token,
    get calls() {
      return server.calls;
    },
    callsTo: (method) => server.calls.filter((c) => c.method.toLowerCase() === method.toLowerCase()),
    user: (id, profile) => {
      server.userProfile(id, profile);
      return new TestUser(hub, id, id);
    },
    group: (chatId, title = `Group ${chatId}`) => server.group(chatId, title),
    close: () => server.close(),
  };
}

interface EventHub {
  server: BotApiServer;
  events: ChatEvent[];
  waiters: Set<() => void>;
}

/** One simulated user acting in one chat. */
export class TestUser {
  private marker: number;
  private lastAction = "(no action yet)";

  constructor(
    private readonly hub: EventHub,
    readonly id: number,
    readonly chatId: number,
  ) {
    this.marker = hub.server.lastSeq();
  }

  /** The same user acting in another chat (a group). */
  inChat(chatId: number): TestUser {
    return new TestUser(this.hub, this.id, chatId);
  }

  /** Sends text; `replyTo` makes it a reply to that message (how people address a bot in a group). */
  async send(text: string, options: { replyTo?: number } = {}): Promise<TgMessage> {
    this.markAction(`send ${JSON.stringify(text)}`);
    return this.hub.server.sendText(this.id, text, this.where(options.replyTo));
  }

  async upload(
    fileName: string,
    bytes: Uint8Array | string,
    options: { mimeType?: string; caption?: string; replyTo?: number } = {},
  ): Promise<TgMessage> {
    this.markAction(`upload ${fileName}`);
    const data = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
    return this.hub.server.sendDocument(
      this.id,
      fileName,
      data,
      options.mimeType,
      options.caption,
      this.where(options.replyTo),
    );
  }

  async sendPhoto(bytes: Uint8Array, caption?: string): Promise<TgMessage> {
    this.markAction("send photo");
    return this.hub.server.sendPhoto(this.id, bytes, caption, this.where());
  }

  /** Presses the button whose label matches on the newest bot message that has one; returns the query id. */
  async click(label: RegExp | string): Promise<string> {
    const messages = this.messages().reverse();
    for (const message of messages) {
      if (!message.from?.is_bot) continue;
      const button = message.reply_markup?.inline_keyboard
        .flat()
        .find((b) =>
          typeof label === "string" ? b.text === label || b.text.includes(label) : label.test(b.text),
        );
      if (!button) continue;
      if (button.callback_data === undefined) throw new Error(`button "${button.text}" has no callback_data`);
      this.markAction(`click "${button.text}"`);
      return this.hub.server.pressButton(this.id, message.message_id, button.callback_data, this.where());
    }
    throw new Error(`click(${String(label)}): no bot message has such a button\n${this.report()}`);
  }

  /** Starts a new "since" point for waitFor without acting. */
  mark(): void {
    this.markAction("mark()");
  }

  /** The first bot message or edit since the last action that matches; waits for one if needed. */
  waitFor(match: MessageMatcher, options: WaitOptions = {}): Promise<TgMessage> {
    const test = toPredicate(match);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const since = this.marker;
    return new Promise((resolve, reject) => {
      // Events are in seq order: start at the first one after the marker.
      let scanned = this.hub.events.length;
      while (scanned > 0 && this.hub.events[scanned - 1].seq > since) scanned--;
      const check = () => {
        const events = this.hub.events;
        for (; scanned < events.length; scanned++) {
          const found = this.botMessageIn(events[scanned], since);
          if (found && test(found)) {
            finish();
            resolve(found);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`waitFor(${String(match)}) timed out after ${timeoutMs} ms\n${this.report()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.hub.waiters.delete(check);
      };
      this.hub.waiters.add(check);
      check();
    });
  }

  /** The answer the bot gave to a callback query (answerCallbackQuery), once it arrives. */
  waitForAnswer(queryId: string, options: WaitOptions = {}): Promise<{ text?: string; showAlert: boolean }> {
    const found = () =>
      this.hub.events.find(
        (e): e is Extract<ChatEvent, { type: "callbackAnswer" }> =>
          e.type === "callbackAnswer" && e.queryId === queryId,
      );
    return new Promise((resolve, reject) => {
      const check = () => {
        const event = found();
        if (!event) return;
        finish();
        resolve({ text: event.text, showAlert: event.showAlert });
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`callback query ${queryId} was never answered\n${this.report()}`));
      }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        this.hub.waiters.delete(check);
      };
      this.hub.waiters.add(check);
      check();
    });
  }

  /** The chat transcript, both sides, as it looks now. */
  messages(): TgMessage[] {
    return this.hub.server.messages(this.chatId);
  }

  botMessages(): TgMessage[] {
    return this.messages().filter((m) => m.from?.is_bot);
  }

  lastBotMessage(): TgMessage | undefined {
    return this.botMessages().at(-1);
  }

  documents(): BotDocument[] {
    return this.botMessages()
      .filter((m) => m.document)
      .map((message) => ({
        message,
        fileName: message.document?.file_name,
        mimeType: message.document?.mime_type,
        caption: message.caption,
        bytes: this.hub.server.fileBytes(message.document?.file_id ?? "") ?? Buffer.alloc(0),
      }));
  }

  /** A readable dump of the chat and of failed Bot API calls, for failure messages. */
  report(): string {
    const failed = this.hub.server.calls
      .filter((c) => !c.ok)
      .slice(-10)
      .map((c) => `  ${c.method} → ${c.error?.error_code} ${c.error?.description}`);
    return [
      `Chat ${this.chatId} (user ${this.id}); last action: ${this.lastAction}`,
      "Transcript:",
      ...formatTranscript(this.messages()),
      failed.length > 0 ? "Failed Bot API calls (latest 10):" : "No failed Bot API calls.",
      ...failed,
    ].join("\n");
  }

  private botMessageIn(event: ChatEvent, since: number): TgMessage | undefined {
    if (event.seq <= since || event.chatId !== this.chatId) return undefined;
    if (event.type !== "message" && event.type !== "edit") return undefined;
    return event.message.from?.is_bot ? event.message : undefined;
  }

  private markAction(description: string): void {
    this.marker = this.hub.server.lastSeq();
    this.lastAction = description;
  }

  private where(replyTo?: number) {
    return {
      ...(this.chatId === this.id ? {} : { chatId: this.chatId }),
      ...(replyTo === undefined ? {} : { replyToMessageId: replyTo }),
    };
  }
}

function toPredicate(match: MessageMatcher): (message: TgMessage) => boolean {
  if (typeof match === "function") return match;
  return (message) => {
    const haystack = [message.text, message.caption, message.document?.file_name].filter(Boolean).join("\n");
    return typeof match === "string" ? haystack.includes(match) : match.test(haystack);
  };
}

/** One line per message: id, side, content, buttons. */
export function formatTranscript(messages: TgMessage[]): string[] {
  if (messages.length === 0) return ["  (empty)"];
  return messages.map((m) => {
    const who = m.from?.is_bot ? "bot " : "user";
    const edited = m.edit_date ? " (edited)" : "";
    const parts: string[] = [];
    if (m.text !== undefined) parts.push(JSON.stringify(m.text));
    if (m.document) parts.push(`[document ${m.document.file_name} ${m.document.file_size} B]`);
    if (m.photo) parts.push(`[photo ${m.photo.at(-1)?.width}x${m.photo.at(-1)?.height}]`);
    if (m.caption) parts.push(`caption ${JSON.stringify(m.caption)}`);
    const buttons = m.reply_markup?.inline_keyboard
      .map((row) => row.map((b) => `[${b.text}${b.callback_data ? ` → ${b.callback_data}` : ""}]`).join(" "))
      .join(" / ");
    return `  #${m.message_id} ${who}${edited}: ${parts.join(" ")}${buttons ? `  ${buttons}` : ""}`;
  });
}

/** Anything with grammY's `start`/`stop` (a Bot). */
interface PollingBot {
  start(options?: { onStart?: () => void; timeout?: number; drop_pending_updates?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts long polling and resolves once polling runs; the returned function stops the bot and waits
 * for the middleware still running (the order that lets a test close Redis afterwards).
 */
export async function runBot(bot: PollingBot): Promise<() => Promise<void>> {
  let running: Promise<void> = Promise.resolve();
  await new Promise<void>((resolve, reject) => {
    running = bot.start({ onStart: () => resolve() });
    running.catch(reject);
  });
  return async () => {
    await bot.stop();
    await running;
  };
}
