/**
 * The local playground: the Bot API emulator plus its web chat page, with a fixed, public token so the bot
 * can be pointed at it without configuration. `npm start` without BOT_TOKEN uses this.
 */
import type { Limits } from "./bot-api/limits.js";
import { type BotApiServer, startBotApiServer } from "./bot-api/server.js";

export type { CallLogEntry } from "./bot-api/call-log.js";
export type { Limits } from "./bot-api/limits.js";
export type { BotApiServer, BotApiServerOptions } from "./bot-api/server.js";
export { startBotApiServer } from "./bot-api/server.js";
export type { ChatEvent } from "./bot-api/store.js";

/** Not a secret: the emulator only listens on this machine, and only it accepts this token. */
export const PLAYGROUND_TOKEN = "100000:playground-local-token-not-secret-xxxxxxxx";

export interface PlaygroundOptions {
  /** Default 3000 (PLAYGROUND_PORT); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Keep chats and files across restarts, e.g. ".data/playground.json". */
  stateFile?: string;
  limits?: Partial<Limits>;
}

export interface Playground {
  /** The chat page, e.g. http://127.0.0.1:3000/ */
  url: string;
  /** What the bot uses as grammY's `client.apiRoot`. */
  apiRoot: string;
  token: string;
  server: BotApiServer;
  close(): Promise<void>;
}

export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const server = await startBotApiServer({
    port: options.port ?? 3000,
    host: options.host,
    token: PLAYGROUND_TOKEN,
    stateFile: options.stateFile,
    limits: options.limits,
    web: true,
  });
  return {
    url: server.url,
    apiRoot: server.apiRoot,
    token: server.token,
    server,
    close: () => server.close(),
  };
}
