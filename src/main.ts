/**
 * Entry point: `npm start`. With BOT_TOKEN the bot talks to Telegram (long polling, or a webhook when
 * WEBHOOK_URL is set). Without it (or with PLAYGROUND=1) it runs the local playground: the embedded Bot API
 * server and its web chat page, and prints the URL. SIGINT/SIGTERM stop it gracefully; a second signal
 * exits at once.
 */
import { type App, createApp } from "./app.js";
import { type Config, loadConfig } from "./config.js";
import { AppError } from "./errors.js";
import { createLogger, type Logger, scrubSecrets } from "./logger.js";
import { launchPlayground } from "./playground/launch.js";

/**
 * Exit codes: 1 for a start-up error, 2 when updates stopped arriving by themselves, 3 when a graceful stop
 * ran past its deadline, 130 on a second signal.
 */
const EXIT_STARTUP = 1;
const EXIT_FATAL = 2;
const EXIT_STOP_DEADLINE = 3;
const EXIT_FORCED = 130;
/**
 * The README's promise: stopped within 10 s of a signal, even when Telegram, Redis or a provider does not
 * answer. Graceful steps that have not finished by then are cut short (running jobs live on as detached
 * workers, and updates not confirmed are delivered again to the next start).
 */
const STOP_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const playgroundMode = !config.telegram.token || config.playground.forced;
  const launch = playgroundMode ? await launchPlayground(config, logger).catch(playgroundFailed) : undefined;
  const appConfig = launch?.config ?? config;
  let app: App;
  try {
    app = createApp(appConfig, {
      logger,
      http: launch
        ? { mount: (routes) => launch.playground.server.mount(routes) }
        : { port: config.telegram.port },
      onFatal: () => process.exit(EXIT_FATAL),
    });
  } catch (error) {
    exitWithStartupError(error);
  }
  stopOnSignals(logger, async () => {
    await app.stop();
    await launch?.playground.close();
  });
  try {
    await app.start();
  } catch (error) {
    exitWithStartupError(error);
  }
  if (app.mode === "webhook")
    logger.info({ bot: app.bot.botInfo.username }, "bot is receiving updates by webhook");
  else logger.info({ bot: app.bot.botInfo.username }, "bot is polling");
  if (launch) {
    console.log(`\nPlayground: open ${launch.playground.url} to chat with the bot (Ctrl+C stops it).\n`);
  }
}

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    exitWithStartupError(error);
  }
}

function playgroundFailed(error: unknown): never {
  if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
    exitWithStartupError(
      `The playground port is in use. Set PLAYGROUND_PORT to another port (0 picks a free one).`,
    );
  }
  exitWithStartupError(error);
}

function exitWithStartupError(error: unknown): never {
  console.error(error instanceof AppError ? error.message : scrubSecrets(String(error)));
  process.exit(EXIT_STARTUP);
}

/** The first signal stops gracefully and exits 0 (3 past the deadline); a second one exits at once. */
function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(EXIT_FORCED);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error({ deadlineMs: STOP_DEADLINE_MS }, "graceful stop ran past its deadline: exiting now");
      process.exit(EXIT_STOP_DEADLINE);
    }, STOP_DEADLINE_MS).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: scrubSecrets(String(error)) }, "shutdown failed");
        process.exit(EXIT_STARTUP);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

void main();
