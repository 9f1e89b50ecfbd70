/**
 * The bot's small HTTP server (PORT): `/healthz`, `/metrics` and, in webhook mode, the webhook path. In
 * polling mode it runs too, for health and metrics. The routes are a plain handler so the playground can
 * mount them on its own server instead.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger.js";
import type { HealthChecker } from "./health.js";
import { METRICS_CONTENT_TYPE, type MetricsRegistry } from "./metrics.js";

/** Handles the request and returns true, or returns false for a path it does not serve. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface OpsRoutesOptions {
  health: HealthChecker;
  metrics: MetricsRegistry;
  /** Webhook mode: Telegram posts updates to this path (the path of WEBHOOK_URL). */
  webhook?: { path: string; handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> };
  /**
   * True while shutting down: /healthz says 503 so a load balancer moves on, and webhook posts get 503 so
   * Telegram keeps the update and delivers it again (to this bot once restarted, or to another replica).
   */
  draining: () => boolean;
}

export function opsRoutes(options: OpsRoutesOptions): RouteHandler {
  return async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/healthz") {
      if (!allowMethods(req, res, ["GET", "HEAD"])) return true;
      const health = await options.health.check();
      const draining = options.draining();
      const status = health.status === "down" || draining ? 503 : 200;
      sendJson(res, status, draining ? { ...health, status: "draining" } : health);
      return true;
    }
    if (path === "/metrics") {
      if (!allowMethods(req, res, ["GET", "HEAD"])) return true;
      send(res, 200, METRICS_CONTENT_TYPE, await options.metrics.expose());
      return true;
    }
    const webhook = options.webhook;
    if (webhook && path === webhook.path) {
      if (!allowMethods(req, res, ["POST"])) return true;
      if (options.draining()) {
        req.resume();
        send(res, 503, "text/plain", "shutting down");
      } else await webhook.handle(req, res);
      return true;
    }
    return false;
  };
}

export interface HttpServer {
  port: number;
  /** Stops accepting connections, lets requests in progress finish (at most `graceMs`), then closes. */
  close(graceMs?: number): Promise<void>;
}

export interface HttpServerOptions {
  port: number;
  /** Default: every interface (a webhook must be reachable from outside). */
  host?: string;
}

export async function startHttpServer(
  handler: RouteHandler,
  options: HttpServerOptions,
  logger: Logger,
): Promise<HttpServer> {
  const server = createServer((req, res) => {
    handler(req, res)
      .then((handled) => {
        if (!handled) send(res, 404, "text/plain", "not found");
      })
      .catch((error: unknown) => {
        logger.error({ err: String(error), path: req.url }, "HTTP request failed");
        if (!res.headersSent) send(res, 500, "text/plain", "internal error");
        else res.destroy();
      });
  });
  // Outlive the idle timeouts of clients and load balancers (typically 60 s): a connection the server closes
  // while a client reuses it ends in ECONNRESET on the client's side.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const port = await listen(server, options.port, options.host);
  return { port, close: (graceMs = 5000) => closeServer(server, graceMs) };
}

function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}

function allowMethods(req: IncomingMessage, res: ServerResponse, methods: string[]): boolean {
  if (methods.includes(req.method ?? "GET")) return true;
  req.resume();
  res.writeHead(405, { allow: methods.join(", "), "content-type": "text/plain" });
  res.end("method not allowed");
  return false;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, "application/json", JSON.stringify(body));
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
