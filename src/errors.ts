/**
 * The error hierarchy: the seed's table (1000–5001, CLOUD_API_REFERENCE.md §8) plus the data, model and
 * access errors the bot needs. Every error serializes to the seed's response format, so a worker in the
 * cloud, the bot and the chat all speak the same shape.
 */

import {
  AppError,
  DataError,
  DataLimitError,
  EmptyFileError,
  type ErrorDetails,
  type ErrorResponse,
  InvalidParameterError,
  MalformedDataError,
  ModelError,
  ModelIntegrityError,
  NotFittedError,
  NoUsableTargetError,
  SchemaMismatchError,
  TrainingFailedError,
  UnreadableFileError,
} from "./ml/errors.js";

// The engine's errors (data, models, schema mismatch) and the root class live in src/ml/errors.ts, since
// the engine imports nothing from the project; they are part of this hierarchy all the same.
export type { ErrorDetails, ErrorResponse };
export {
  AppError,
  DataError,
  DataLimitError,
  EmptyFileError,
  InvalidParameterError,
  MalformedDataError,
  ModelError,
  ModelIntegrityError,
  NotFittedError,
  NoUsableTargetError,
  SchemaMismatchError,
  TrainingFailedError,
  UnreadableFileError,
};

// === 1xxx configuration
export class CloudConfigurationError extends AppError {
  static override readonly code: number = 1000;
  static override readonly recovery: string = "Check the environment variables (see README: Configuration).";
}
export class MissingCredentialError extends CloudConfigurationError {
  static override readonly code: number = 1001;
  static override readonly recovery: string = "Set the provider's credentials in the environment.";
}
export class InvalidCredentialError extends CloudConfigurationError {
  static override readonly code: number = 1002;
  static override readonly recovery: string =
    "Regenerate the API key or credentials and update the environment.";
}

// === 2xxx storage
export class CloudStorageError extends AppError {
  static override readonly code: number = 2000;
  static override readonly recovery: string = "Retry the operation.";
}
export class UploadError extends CloudStorageError {
  static override readonly code: number = 2001;
  static override readonly recovery: string = "Check the network and retry the upload.";
}
export class DownloadError extends CloudStorageError {
  static override readonly code: number = 2002;
  static override readonly recovery: string = "Check that the file still exists and that you may read it.";
}
export class BucketNotFoundError extends CloudStorageError {
  static override readonly code: number = 2003;
  static override readonly recovery: string = "Verify the bucket or volume name in the configuration.";
}
/** A key or URI outside the caller's own `user_{id}` prefix. */
export class StoragePermissionError extends CloudStorageError {
  static override readonly code: number = 2004;
  static override readonly recovery: string = "You can only use your own datasets and models.";
}
export class ObjectNotFoundError extends CloudStorageError {
  static override readonly code: number = 2005;
  static override readonly recovery: string =
    "It may have been deleted. List what you have and pick another.";
}

// === 3xxx training
export class CloudTrainingError extends AppError {
  static override readonly code: number = 3000;
  static override readonly recovery: string = "Check the job log, then retry or train locally.";
}
export class PodCreationTimeoutError extends CloudTrainingError {
  static override readonly code: number = 3001;
  static override readonly recovery: string = "Retry with a different GPU type or another provider.";
}
export class InstanceLaunchError extends CloudTrainingError {
  static override readonly code: number = 3002;
  static override readonly recovery: string =
    "Check the account's quotas and the AMI, or pick another instance type.";
}
export class SpotInterruptionError extends CloudTrainingError {
  static override readonly code: number = 3003;
  static override readonly recovery: string = "The job is relaunched automatically; nothing to do.";
}
export class BudgetExceededError extends CloudTrainingError {
  static override readonly code: number = 3004;
  static override readonly recovery: string = "Raise your budget with /budget, or pick a cheaper option.";
}
/** The provider has no machine for this offer right now; nothing was created. The next offer is tried. */
export class CapacityError extends CloudTrainingError {
  static override readonly code: number = 3005;
  static override readonly recovery: string = "Another GPU or instance type is tried; or retry later.";
}
/** The provider is still working on it (a termination not yet confirmed); ask again shortly. */
export class RetryLaterError extends CloudTrainingError {
  static override readonly code: number = 3006;
  static override readonly recovery: string = "Nothing to do: it is checked again automatically.";
}

// === 4xxx prediction
export class CloudPredictionError extends AppError {
  static override readonly code: number = 4000;
  static override readonly recovery: string = "Check the job log, then retry or predict locally.";
}
export class LambdaTimeoutError extends CloudPredictionError {
  static override readonly code: number = 4001;
  static override readonly recovery: string = "Use asynchronous invocation for large inputs.";
}
// SchemaMismatchError (4002) is the engine's: src/ml/errors.ts.

// === 5xxx state
export class StateManagementError extends AppError {
  static override readonly code: number = 5000;
  static override readonly recovery: string = "Start again with /train or /predict.";
}
export class InvalidTransitionError extends StateManagementError {
  static override readonly code: number = 5001;
  static override readonly recovery: string =
    "Use the buttons of the current step, or /cancel to start over.";
}
export class StateCorruptionError extends StateManagementError {
  static override readonly code: number = 5002;
  static override readonly recovery: string = "Your session was reset. Start again with /train or /predict.";
}

// === 6xxx data and 7xxx models: the engine's (src/ml/errors.ts), but for the ingest sandbox's limit.
/** Reading a file ran out of the sandbox's memory or time (INGEST_MEMORY_MB, INGEST_TIMEOUT_SECONDS). */
export class IngestLimitError extends DataLimitError {
  static override readonly code: number = 6006;
  static override readonly recovery: string =
    "Send a smaller file (fewer rows or columns), or save it as CSV and send that.";
}

// === 8xxx access
export class AccessDeniedError extends AppError {
  static override readonly code: number = 8001;
  static override readonly recovery: string =
    "Ask the operator to add your Telegram user id to ALLOWED_USER_IDS.";
}
export class RateLimitedError extends AppError {
  static override readonly code: number = 8002;
  static override readonly recovery: string = "Wait a few seconds, then try again.";
}

/** Every concrete error class, for lookup by name when an error crosses a process boundary. */
const ERROR_CLASSES = [
  CloudConfigurationError,
  MissingCredentialError,
  InvalidCredentialError,
  CloudStorageError,
  UploadError,
  DownloadError,
  BucketNotFoundError,
  StoragePermissionError,
  ObjectNotFoundError,
  CloudTrainingError,
  PodCreationTimeoutError,
  InstanceLaunchError,
  SpotInterruptionError,
  BudgetExceededError,
  CapacityError,
  RetryLaterError,
  CloudPredictionError,
  LambdaTimeoutError,
  SchemaMismatchError,
  StateManagementError,
  InvalidTransitionError,
  StateCorruptionError,
  DataError,
  UnreadableFileError,
  EmptyFileError,
  NoUsableTargetError,
  DataLimitError,
  MalformedDataError,
  IngestLimitError,
  ModelError,
  ModelIntegrityError,
  InvalidParameterError,
  NotFittedError,
  TrainingFailedError,
  AccessDeniedError,
  RateLimitedError,
] as const;

const BY_NAME = new Map<string, typeof AppError>(ERROR_CLASSES.map((c) => [c.name, c]));

/** The seed's table, code → class name, for docs and tests. */
export const ERROR_TABLE: ReadonlyArray<{ code: number; errorClass: string; recovery: string }> =
  ERROR_CLASSES.map((c) => ({ code: c.code, errorClass: c.name, recovery: c.recovery }));

/** Rebuilds an error serialized by another process (a worker's result.json, a Lambda response). */
export function errorFromResponse(response: ErrorResponse): AppError {
  const Ctor = BY_NAME.get(response.error_class) ?? AppError;
  return new Ctor(response.message, response.details ?? {}, { recovery: response.recovery_suggestion });
}

/** Any thrown value as the seed's response; unknown errors keep no internals (no stack, no message). */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof AppError) return error.toJSON();
  return new AppError("Something went wrong on our side.").toJSON();
}
