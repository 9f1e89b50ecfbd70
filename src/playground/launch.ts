/**
 * `npm start` without BOT_TOKEN: the playground. It starts the embedded Bot API server with its web chat page
 * and returns the configuration the bot runs with: the playground's token and API root, its 20 MB download
 * limit, the embedded state store, local storage and local compute, and a model signing key generated once
 * and kept in DATA_DIR. With PLAYGROUND=1 the configured Redis and cloud accounts are used instead (demos of
 * the cloud path against real accounts).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Config } from "../config.js";
import { CloudConfigurationError } from "../errors.js";
import type { Logger } from "../logger.js";
import { type Playground, startPlayground } from "./index.js";

export interface PlaygroundLaunch {
  playground: Playground;
  /** The configuration the bot must run with. */
  config: Config;
}

/** Where the generated key lives, relative to DATA_DIR. */
export const SIGNING_KEY_FILE = ".model-signing-key";
const MIN_SIGNING_KEY_LENGTH = 32;

export async function launchPlayground(config: Config, logger: Logger): Promise<PlaygroundLaunch> {
  const dataDir = resolve(config.dataDir);
  const signingKey =
    config.modelSigningKey ?? loadOrCreateSigningKey(join(dataDir, SIGNING_KEY_FILE), logger);
  const playground = await startPlayground({
    port: config.playground.port,
    stateFile: join(dataDir, "playground", "chats.json"),
  });
  if (!config.playground.forced && (config.redis.url || hasCloudCredentials(config))) {
    logger.info(
      "playground: using the embedded store and local compute; set PLAYGROUND=1 to use Redis and cloud",
    );
  }
  return { playground, config: playgroundConfig(config, playground, signingKey) };
}

/** The bot's configuration inside the playground (pure: the tests check it). */
export function playgroundConfig(config: Config, playground: Playground, signingKey: string): Config {
  const keepConfigured = config.playground.forced;
  return {
    ...config,
    telegram: {
      ...config.telegram,
      token: playground.token,
      apiRoot: playground.apiRoot,
      // The emulator refuses getFile above Telegram's public limit, whatever its API root looks like.
      maxDownloadBytes: playground.server.limits.maxDownloadBytes,
      webhookUrl: undefined,
      webhookSecret: undefined,
    },
    modelSigningKey: signingKey,
    redis: keepConfigured ? config.redis : { ...config.redis, url: undefined },
    aws: keepConfigured
      ? config.aws
      : {
          ...config.aws,
          accessKeyId: undefined,
          secretAccessKey: undefined,
          sessionToken: undefined,
          profile: undefined,
        },
    runpod: keepConfigured
      ? config.runpod
      : { ...config.runpod, apiKey: undefined, storageAccessKey: undefined, storageSecretKey: undefined },
  };
}

function hasCloudCredentials(config: Config): boolean {
  return Boolean(config.aws.accessKeyId || config.aws.profile || config.runpod.apiKey);
}

/**
 * The key from `path`, or a new random one written there readable by this user only (0600). The new file is
 * written aside and hard-linked into place, so two processes starting together end up with the same,
 * complete key.
 */
export function loadOrCreateSigningKey(path: string, logger?: Logger): string {
  mkdirSync(dirname(path), { recursive: true });
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  try {
    linkSync(aside, path);
    logger?.info({ path }, "generated a model signing key");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(aside);
  }
  if ((statSync(path).mode & 0o077) !== 0) {
    chmodSync(path, 0o600);
    logger?.warn({ path }, "the model signing key file was readable by others; made it private (0600)");
  }
  const key = readFileSync(path, "utf8").trim();
  if (key.length < MIN_SIGNING_KEY_LENGTH) {
    throw new CloudConfigurationError(
      `The model signing key in ${path} is shorter than ${MIN_SIGNING_KEY_LENGTH} characters.`,
      { variables: ["MODEL_SIGNING_KEY"] },
    );
  }
  return key;
}
