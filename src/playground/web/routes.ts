/** Placeholder until the web page lands. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BotApiServer } from "../bot-api/server.js";

export async function handleWebRoute(
  _api: BotApiServer,
  _req: IncomingMessage,
  _res: ServerResponse,
): Promise<boolean> {
  return false;
}
