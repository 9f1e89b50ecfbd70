/**
 * `npm run doctor` and /admin doctor: every configured provider's prerequisites, checked one by one with real
 * calls, as a table with the exact fix of each failing line (report.ts).
 */
import { fileURLToPath } from "node:url";
import type { Config } from "../config.js";
import { type AwsClients, awsChecks } from "./aws.js";
import { imageChecks } from "./image.js";
import { type CheckResult, fail, ok } from "./report.js";
import { runpodChecks } from "./runpod.js";

export { type CheckResult, formatReport, hasFailures } from "./report.js";

export interface DoctorOptions {
  /** The Lambda bundle to compare with the deployed function (default dist/lambda/lambda.zip). */
  lambdaZipPath?: string;
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  awsClients?: AwsClients;
}

const DEFAULT_LAMBDA_ZIP = fileURLToPath(new URL("../../dist/lambda/lambda.zip", import.meta.url));

export async function runDoctor(config: Config, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const [aws, runpod, image] = await Promise.all([
    awsChecks(config, {
      lambdaZipPath: options.lambdaZipPath ?? DEFAULT_LAMBDA_ZIP,
      env: options.env,
      clients: options.awsClients,
    }),
    runpodChecks(config, options.fetch),
    imageChecks(config, options.fetch),
  ]);
  return [signingKey(config), ...aws, ...runpod, ...image];
}

function signingKey(config: Config): CheckResult {
  if (config.modelSigningKey) return ok("Bot", "MODEL_SIGNING_KEY", "set (it never leaves the bot)");
  return fail(
    "Bot",
    "MODEL_SIGNING_KEY",
    "not set: models cannot be signed",
    "set MODEL_SIGNING_KEY=$(openssl rand -hex 32)",
  );
}
