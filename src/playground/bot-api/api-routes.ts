/**
 * The bot-side HTTP surface: `/bot<token>/<method>` (GET or POST; JSON, urlencoded or multipart) and
 * `/file/bot<token>/<file_path>`. Answers use Telegram's envelope and HTTP status codes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { notFound, TelegramApiError, unauthorized } from "./api-error.js";
import type { CallLog } from "./call-log.js";
import type { CallHolds } from "./holds.js";
import type { FloodControl, Limits } from "./limits.js";
import { findMethod } from "./methods/index.js";
import { decodeBody, readBody } from "./multipart.js";
import { Params } from "./params.js";
import type { Store } from "./store.js";
import type { ApiResponse } from "./types.js";
import type { UpdateQueue } from "./updates.js";
import type { WebhookDelivery } from "./webhook.js";

export interface ApiDeps {
  token: string;
  store: Store;
  updates: UpdateQueue;
  limits: Limits;
  flood: FloodControl;
  calls: CallLog;
  webhook: WebhookDelivery;
  holds: CallHolds;
}

/** Multipart overhead on top of the largest file a bot may upload. */
const BODY_SLACK_BYTES = 1024 * 1024;

const API_PATH = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/;
const FILE_PATH = /^\/file\/bot([^/]+)\/(.+)$/;

/** Handles the request if it is a Bot API or file route; returns false otherwise. */
export async function handleApiRoute(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const api = API_PATH.exec(url.pathname);
  if (api) {
    await callMethod(deps, req, res, api[1], api[2], url.searchParams);
    return true;
  }
  const file = FILE_PATH.exec(url.pathname);
  if (file) {
    serveFile(deps, res, decodeURIComponent(file[1]), decodeURIComponent(file[2]));
    return true;
  }
  return false;
}

async function callMethod(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  token: string,
  method: string,
  query: URLSearchParams,
): Promise<void> {
  const at = Date.now();
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  let params = new Params(Object.fromEntries(query));
  let answer: ApiResponse;
  try {
    if (decodeURIComponent(token) !== deps.token) throw unauthorized();
    const handler = findMethod(method);
    if (!handler) throw notFound();
    await deps.holds.wait(method);
    const body = await readBody(req, deps.limits.maxUploadBytes + BODY_SLACK_BYTES);
    params = Params.from(decodeBody(req.headers["content-type"], body, query));
    const ctx = { params, signal: abort.signal, ...deps };
    answer = { ok: true, result: await handler(ctx) };
  } catch (error) {
    if (!req.readableEnded) req.resume();
    answer = errorAnswer(error);
  }
  deps.calls.add({
    method,
    payload: params.forLog(),
    at,
    durationMs: Date.now() - at,
    ok: answer.ok,
    ...(answer.ok ? { result: answer.result } : { error: withoutOk(answer) }),
  });
  if (res.destroyed) return;
  sendJson(res, answer.ok ? 200 : answer.error_code, answer);
}

function errorAnswer(error: unknown): ApiResponse {
  if (error instanceof TelegramApiError) {
    return {
      ok: false,
      error_code: error.errorCode,
      description: error.description,
      ...(error.parameters ? { parameters: error.parameters } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, error_code: 500, description: `Internal Server Error: ${message}` };
}

function withoutOk(answer: Extract<ApiResponse, { ok: false }>) {
  const { ok: _ok, ...rest } = answer;
  return rest;
}

function serveFile(deps: ApiDeps, res: ServerResponse, token: string, path: string): void {
  const file = token === deps.token ? deps.store.fileByPath(path) : undefined;
  if (token !== deps.token) sendJson(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
  else if (!file) sendJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
  else {
    res.writeHead(200, {
      "content-type": file.mimeType ?? "application/octet-stream",
      "content-length": file.bytes.length,
    });
    res.end(file.bytes);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
