/** Structured logging. Secret-bearing fields are redacted wherever they appear in a log object. */
import { type Logger, pino } from "pino";

const REDACT_KEYS = [
  "token",
  "botToken",
  "apiKey",
  "api_key",
  "secretAccessKey",
  "accessKeyId",
  "sessionToken",
  "password",
  "authorization",
  "Authorization",
  "signingKey",
  "modelSigningKey",
  "webhookSecret",
  "storageSecretKey",
  "storageAccessKey",
];

export const REDACT_PATHS = [
  ...REDACT_KEYS,
  ...REDACT_KEYS.map((k) => `*.${k}`),
  ...REDACT_KEYS.map((k) => `*.*.${k}`),
];

export type { Logger };

export function createLogger(
  level = process.env.LOG_LEVEL ?? "info",
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { app: "sma" } },
    destination,
  );
}

/** Removes a bot token from any text (grammY error messages embed the request URL). */
export function scrubSecrets(text: string): string {
  return text.replace(/bot\d+:[\w-]{20,}/g, "bot<redacted>").replace(/\b\d{6,}:[\w-]{30,}\b/g, "<redacted>");
}
