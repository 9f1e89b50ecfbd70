/**
 * The web chat page and its JSON/SSE endpoints, served next to the Bot API by the same server.
 * Static files are read from ./static on each request: no build step, and edits show on reload.
 *
 *   GET  /                      the page (index.html, app.js, messages.js, format.js, style.css)
 *   GET  /api/state?user=ID     transcript, commands, reply keyboard, bot and users
 *   POST /api/send              { user, text }
 *   POST /api/upload            multipart: user, caption?, file
 *   POST /api/press             { user, messageId, data }
 *   POST /api/profile           { user, firstName?, languageCode? }
 *   GET  /api/file?id=…         a file's bytes (photos inline, documents with &download=1)
 *   GET  /events?user=ID        server-sent events for that user's chat
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { TelegramApiError } from "../bot-api/api-error.js";
import { decodeBody, readBody } from "../bot-api/multipart.js";
import type { BotApiServer } from "../bot-api/server.js";
import { openEventStream } from "./events.js";

const STATIC_DIR = fileURLToPath(new URL("./static/", import.meta.url));
const STATIC_FILES: Record<string, string> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/format.js": "format.js",
  "/messages.js": "messages.js",
  "/style.css": "style.css",
};
const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
const MAX_PAGE_UPLOAD_BYTES = 64 * 1024 * 1024;

/** Handles the page's routes; returns false for any other path. */
export async function handleWebRoute(
  api: BotApiServer,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const staticFile = STATIC_FILES[url.pathname];
  if (staticFile && req.method === "GET") {
    await serveStatic(res, staticFile);
    return true;
  }
  if (url.pathname === "/events" && req.method === "GET") {
    openEventStream(api, req, res, userParam(url.searchParams.get("user")));
    return true;
  }
  if (url.pathname === "/api/file" && req.method === "GET") {
    serveFile(api, res, url.searchParams);
    return true;
  }
  const handler = API_HANDLERS[`${req.method} ${url.pathname}`];
  if (!handler) return false;
  try {
    const body = await readBody(req, MAX_PAGE_UPLOAD_BYTES);
    const { fields, files } = decodeBody(req.headers["content-type"], body, url.searchParams);
    sendJson(res, 200, await handler(api, fields, files));
  } catch (error) {
    const message = error instanceof TelegramApiError ? error.description : (error as Error).message;
    sendJson(res, 400, { error: message });
  }
  return true;
}

type Handler = (
  api: BotApiServer,
  fields: Record<string, unknown>,
  files: Awaited<ReturnType<typeof decodeBody>>["files"],
) => unknown;

const API_HANDLERS: Record<string, Handler> = {
  "GET /api/state": (api, fields) => chatState(api, userParam(fields.user)),
  "POST /api/send": (api, fields) => api.sendText(userParam(fields.user), String(fields.text ?? "")),
  "POST /api/upload": (api, fields, files) => {
    const file = files.get("file");
    if (!file) throw new Error("no file in the upload");
    const caption = typeof fields.caption === "string" && fields.caption.trim() ? fields.caption : undefined;
    return api.sendDocument(userParam(fields.user), file.fileName, file.bytes, file.mimeType, caption);
  },
  "POST /api/press": (api, fields) => ({
    queryId: api.pressButton(userParam(fields.user), Number(fields.messageId), String(fields.data ?? "")),
  }),
  "POST /api/profile": (api, fields) =>
    api.userProfile(userParam(fields.user), {
      firstName: typeof fields.firstName === "string" && fields.firstName ? fields.firstName : undefined,
      languageCode:
        typeof fields.languageCode === "string" && fields.languageCode ? fields.languageCode : undefined,
    }),
};

/** Everything the page needs to draw a chat from scratch (on load and after a reconnect). */
function chatState(api: BotApiServer, userId: number) {
  const known = api.users().find((u) => u.id === userId);
  const user = known ?? api.userProfile(userId);
  return {
    user,
    bot: api.bot,
    users: api.users(),
    messages: api.messages(userId),
    commands: api.commandsFor(userId, user.language_code),
    keyboard: api.replyKeyboard(userId),
  };
}

function userParam(value: unknown): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error("user must be a positive integer id");
  return id;
}

async function serveStatic(res: ServerResponse, name: string): Promise<void> {
  const body = await readFile(`${STATIC_DIR}${name}`);
  const ext = name.split(".").pop() ?? "";
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream",
    "cache-control": "no-cache",
  });
  res.end(body);
}

function serveFile(api: BotApiServer, res: ServerResponse, query: URLSearchParams): void {
  const id = query.get("id") ?? "";
  const meta = api.file(id);
  const bytes = api.fileBytes(id);
  if (!meta || !bytes) {
    sendJson(res, 404, { error: "no such file" });
    return;
  }
  const headers: Record<string, string | number> = {
    "content-type": meta.mimeType ?? "application/octet-stream",
    "content-length": bytes.length,
    "x-content-type-options": "nosniff",
  };
  if (query.get("download")) {
    headers["content-disposition"] =
      `attachment; filename*=UTF-8''${encodeURIComponent(meta.fileName ?? "file")}`;
  }
  res.writeHead(200, headers);
  res.end(bytes);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
