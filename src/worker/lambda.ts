/**
 * The AWS Lambda entry point of the prediction handler (bundled by scripts/build-lambda.ts; handler
 * `index.handler`). The event is the job's predict spec. Both invocation types land here: RequestResponse
 * reads the returned value, Event reads jobs/{jobId}/result.json, which is written either way. The function
 * needs S3_BUCKET in its environment and its role's access to jobs/ (deploy/aws/lambda-policy.json); each
 * event carries its job's own signing key, so MODEL_SIGNING_KEY is not needed.
 */
import { type Config, loadConfig } from "../config.js";
import { createLogger, type Logger } from "../logger.js";
import { handlePredictEvent, type PredictResponse } from "./predict-entry.js";

/** The part of Lambda's context object we use. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** Left for writing the timeout result before Lambda stops the function. */
const TIMEOUT_MARGIN_MS = 3_000;

let runtime: { config: Config; logger: Logger } | undefined;

export async function handler(event: unknown, context?: LambdaContext): Promise<PredictResponse> {
  runtime ??= (() => {
    const config = loadConfig();
    return { config, logger: createLogger(config.logLevel) };
  })();
  return handlePredictEvent(event, {
    ...runtime,
    timeLeftMs: context ? () => context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS : undefined,
  });
}
