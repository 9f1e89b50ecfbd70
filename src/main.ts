/**
 * Entry point: `npm start`. With BOT_TOKEN it runs the bot with long polling; without it, it says what to set
 * (the local playground will take this place).
 */
import { createApp } from "./app.js";
import { loadConfig } from "./config.js";
import { AppError } from "./errors.js";
import { createLogger } from "./logger.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof AppError ? error.message : String(error));
    process.exit(1);
  }
  if (!config.telegram.token) {
    console.log(
      "Set BOT_TOKEN (from @BotFather) and MODEL_SIGNING_KEY (openssl rand -hex 32) to run the bot; see README.md.",
    );
    return;
  }
  const logger = createLogger(config.logLevel);
  let app: ReturnType<typeof createApp>;
  try {
    app = createApp(config, { logger });
  } catch (error) {
    console.error(error instanceof AppError ? error.message : String(error));
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await app.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  await app.start();
  logger.info({ bot: app.bot.botInfo.username }, "bot is polling");
}

void main();
