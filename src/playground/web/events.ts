/** Server-sent events for one user's chat: messages, edits, deletions, answers, typing, menus. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BotApiServer } from "../bot-api/server.js";

const HEARTBEAT_MS = 15_000;

export function openEventStream(
  api: BotApiServer,
  req: IncomingMessage,
  res: ServerResponse,
  userId: number,
): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.write("retry: 1000\n\n");
  const unsubscribe = api.subscribe((event) => {
    const forThisChat = event.chatId === userId || event.type === "commands";
    if (forThisChat) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
  req.on("close", () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
