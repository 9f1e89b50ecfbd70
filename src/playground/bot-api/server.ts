/**
 * `startBotApiServer`: the embedded Telegram Bot API emulator. One HTTP server answers the bot (Bot API
 * routes), serves the web chat page, and exposes the simulated users' side in-process.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleWebRoute } from "../web/routes.js";
import { handleApiRoute, sendJson } from "./api-routes.js";
import { CallLog, type CallLogEntry } from "./call-log.js";
import { type CallHold, CallHolds } from "./holds.js";
import { DEFAULT_LIMITS, FloodControl, type Limits } from "./limits.js";
import { commandsKey } from "./methods/bot.js";
import { StatePersistence } from "./persistence.js";
import { type ChatEvent, type ReplyKeyboard, Store, type StoredFile } from "./store.js";
import type { TgBotCommand, TgMessage, TgUser } from "./types.js";
import { UpdateQueue } from "./updates.js";
import { type UserActionOptions, type UserProfile, UserSide } from "./user-side.js";
import { WebhookDelivery, type WebhookInfo } from "./webhook.js";

export interface BotApiServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1: the emulator is for this machine only. */
  host?: string;
  /** The bot token the emulator accepts; a test token by default. */
  token?: string;
  limits?: Partial<Limits>;
  /** JSON file to keep chats, files and pending updates across restarts (the playground uses it). */
  stateFile?: string;
  botFirstName?: string;
  botUsername?: string;
  /** Serve the web chat page at `/` (default true). */
  web?: boolean;
  /** Delay before a failed webhook delivery is retried; doubles with each failure in a row (default 1 s). */
  webhookRetryBaseMs?: number;
}

/** Extra routes served by the same HTTP server; returns true when it handled the request. */
export type MountedRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** The running emulator: bot-facing HTTP API plus the in-process user side. */
export interface BotApiServer {
  /** `http://127.0.0.1:PORT` with no trailing slash, for grammY's `client.apiRoot`. */
  apiRoot: string;
  /** Where the web chat page is. */
  url: string;
  token: string;
  port: number;
  bot: TgUser;
  limits: Readonly<Limits>;
  /** Every Bot API call so far, oldest first. */
  readonly calls: readonly CallLogEntry[];
  close(): Promise<void>;
  userProfile(userId: number, profile?: UserProfile): TgUser;
  group(chatId: number, title: string): void;
  blockBot(userId: number, blocked?: boolean): void;
  sendText(userId: number, text: string, options?: UserActionOptions): TgMessage;
  sendDocument(
    userId: number,
    fileName: string,
    bytes: Uint8Array,
    mimeType?: string,
    caption?: string,
    options?: UserActionOptions,
  ): TgMessage;
  sendPhoto(userId: number, bytes: Uint8Array, caption?: string, options?: UserActionOptions): TgMessage;
  pressButton(userId: number, messageId: number, callbackData: string, options?: UserActionOptions): string;
  /** The chat transcript, both sides, as the messages look now. */
  messages(chatId: number): TgMessage[];
  fileBytes(fileId: string): Buffer | undefined;
  file(fileId: string): Omit<StoredFile, "bytes"> | undefined;
  /** The command menu a user sees in a chat: most specific scope and language first, like the apps. */
  commandsFor(chatId: number, languageCode?: string): TgBotCommand[];
  /** Listens to messages, edits, deletions, answers, chat actions; returns the unsubscribe function. */
  subscribe(listener: (event: ChatEvent) => void): () => void;
  /** The seq of the latest event (a marker: later events have a larger seq). */
  lastSeq(): number;
  pendingUpdateCount(): number;
  /** Whether a getUpdates long poll is waiting for an update (tests wait on this, not on a sleep). */
  hasParkedPoll(): boolean;
  /** Every simulated user so far. */
  users(): TgUser[];
  /** The reply keyboard the bot shows under a chat's input field, if any. */
  replyKeyboard(chatId: number): ReplyKeyboard | null;
  /** What getWebhookInfo answers now. */
  webhookInfo(): WebhookInfo;
  /** Test hook: the next call of `method` waits until the returned hold is released. */
  holdNextCall(method: string): CallHold;
  /** Serves more routes on this server (after the Bot API and the page); returns the unmount function. */
  mount(route: MountedRoute): () => void;
}

export const DEFAULT_TEST_TOKEN = "123456789:TEST-emulator-token-aaaaaaaaaaaaaaaaaaaaaa";

export async function startBotApiServer(options: BotApiServerOptions = {}): Promise<BotApiServer> {
  const token = options.token ?? DEFAULT_TEST_TOKEN;
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const botId = Number(token.split(":")[0]);
  if (!Number.isSafeInteger(botId) || botId <= 0)
    throw new RangeError("token must start with the bot's numeric id");
  const store = new Store({
    id: botId,
    is_bot: true,
    first_name: options.botFirstName ?? "Statistical Modeling Agent",
    username: options.botUsername ?? "sma_playground_bot",
  });
  const updates = new UpdateQueue();
  const persistence = options.stateFile ? new StatePersistence(options.stateFile, store, updates) : undefined;
  persistence?.load();
  const calls = new CallLog();
  const webhook = new WebhookDelivery(updates, options.webhookRetryBaseMs);
  const holds = new CallHolds();
  const deps = { token, store, updates, limits, flood: new FloodControl(limits), calls, webhook, holds };
  const mounted: MountedRoute[] = [];
  const users = new UserSide(store, updates);
  if (persistence) store.subscribe(() => persistence.scheduleSave());

  const server = createServer((req, res) => {
    void (async () => {
      if (await handleApiRoute(deps, req, res)) return persistence?.scheduleSave();
      if (options.web !== false && (await handleWebRoute(api, req, res))) return;
      for (const route of mounted) if (await route(req, res)) return;
      sendJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error_code: 500, description: String(error) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 75_000;
  const port = await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  const host = options.host === undefined || options.host === "0.0.0.0" ? "127.0.0.1" : options.host;
  const apiRoot = `http://${host}:${port}`;

  const api: BotApiServer = {
    apiRoot,
    url: `${apiRoot}/`,
    token,
    port,
    bot: store.bot,
    limits,
    get calls() {
      return calls.all();
    },
    close: async () => {
      webhook.close();
      updates.close();
      persistence?.flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    userProfile: (userId, profile) => users.userProfile(userId, profile),
    group: (chatId, title) => users.group(chatId, title),
    blockBot: (userId, blocked) => users.blockBot(userId, blocked),
    sendText: (userId, text, opts) => users.sendText(userId, text, opts),
    sendDocument: (userId, fileName, bytes, mimeType, caption, opts) =>
      users.sendDocument(userId, fileName, bytes, mimeType, caption, opts),
    sendPhoto: (userId, bytes, caption, opts) => users.sendPhoto(userId, bytes, caption, opts),
    pressButton: (userId, messageId, data, opts) => users.pressButton(userId, messageId, data, opts),
    messages: (chatId) => store.transcript(chatId),
    fileBytes: (fileId) => store.file(fileId)?.bytes,
    file: (fileId) => {
      const file = store.file(fileId);
      if (!file) return undefined;
      const { bytes: _bytes, ...meta } = file;
      return meta;
    },
    commandsFor: (chatId, languageCode) => commandsFor(store, chatId, languageCode),
    subscribe: (listener) => store.subscribe(listener),
    lastSeq: () => store.lastSeq(),
    pendingUpdateCount: () => updates.pendingCount(),
    hasParkedPoll: () => updates.hasParkedPoll(),
    users: () => [...store.users.values()].map((u) => structuredClone(u.user)),
    replyKeyboard: (chatId) => structuredClone(store.chat(chatId)?.replyKeyboard ?? null),
    webhookInfo: () => webhook.info(),
    holdNextCall: (method) => holds.hold(method),
    mount: (route) => {
      mounted.push(route);
      return () => {
        const index = mounted.indexOf(route);
        if (index >= 0) mounted.splice(index, 1);
      };
    },
  };
  return api;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function commandsFor(store: Store, chatId: number, languageCode?: string): TgBotCommand[] {
  const chat = store.chat(chatId)?.chat;
  const typeScope = chat?.type === "private" ? "all_private_chats" : "all_group_chats";
  const scopes = [{ type: "chat", chat_id: chatId }, { type: typeScope }, { type: "default" }];
  for (const scope of scopes) {
    for (const language of languageCode ? [languageCode, ""] : [""]) {
      const list = store.commands.get(commandsKey(scope, language));
      if (list) return structuredClone(list);
    }
  }
  return [];
}
