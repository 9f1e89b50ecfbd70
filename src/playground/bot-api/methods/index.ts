/** Every emulated method, looked up case-insensitively as Telegram does. */
import { botMethods } from "./bot.js";
import type { MethodHandler } from "./context.js";
import { fileMethods } from "./files.js";
import { messageMethods } from "./messages.js";
import { webhookMethods } from "./webhook.js";

const ALL: Record<string, MethodHandler> = {
  ...botMethods,
  ...webhookMethods,
  ...messageMethods,
  ...fileMethods,
};
const BY_LOWER_NAME = new Map(Object.entries(ALL).map(([name, handler]) => [name.toLowerCase(), handler]));

export function findMethod(name: string): MethodHandler | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}
