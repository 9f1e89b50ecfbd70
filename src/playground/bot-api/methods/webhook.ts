/**
 * setWebhook, deleteWebhook and getWebhookInfo (https://core.telegram.org/bots/api#setwebhook). The emulator
 * also accepts plain http:// on loopback addresses (a local bot under test); anything else must be HTTPS on
 * one of Telegram's four webhook ports.
 */
import { badRequest } from "../api-error.js";
import type { MethodHandler } from "./context.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const WEBHOOK_PORTS = new Set(["", "80", "88", "443", "8443"]);

function webhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not confirmed against Telegram: it answers about the host it failed to resolve.
    throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
  }
  if (LOOPBACK_HOSTS.has(url.hostname) && (url.protocol === "http:" || url.protocol === "https:"))
    return text;
  if (url.protocol !== "https:") throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  if (!WEBHOOK_PORTS.has(url.port))
    throw badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
  return text;
}

const setWebhook: MethodHandler = (ctx) => {
  const url = ctx.params.string("url") ?? "";
  if (ctx.params.bool("drop_pending_updates")) ctx.updates.dropPending();
  if (url === "") {
    ctx.webhook.delete();
    return true;
  }
  const secretToken = ctx.params.string("secret_token");
  // Not confirmed against Telegram.
  if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken))
    throw badRequest("secret token contains unallowed characters");
  const maxConnections = ctx.params.int("max_connections") ?? 40;
  const allowed = ctx.params.json<string[]>("allowed_updates", "can't parse allowed updates JSON object");
  if (Array.isArray(allowed)) ctx.updates.setAllowed(allowed);
  ctx.webhook.set({
    url: webhookUrl(url),
    secretToken,
    maxConnections: Math.min(100, Math.max(1, maxConnections)),
  });
  return true;
};

const deleteWebhook: MethodHandler = (ctx) => {
  if (ctx.params.bool("drop_pending_updates")) ctx.updates.dropPending();
  ctx.webhook.delete();
  return true;
};

const getWebhookInfo: MethodHandler = (ctx) => ctx.webhook.info();

export const webhookMethods: Record<string, MethodHandler> = { setWebhook, deleteWebhook, getWebhookInfo };
