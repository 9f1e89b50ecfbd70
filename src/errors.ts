/**
 * The error hierarchy: the seed's table (1000–5001, CLOUD_API_REFERENCE.md §8) plus the data, model and
 * access errors the bot needs. Every error serializes to the seed's response format, so a worker in the
 * cloud, the bot and the chat all speak the same shape.
 */

export interface ErrorResponse {
  error_code: number;
  error_class: string;
  message: string;
  details: Record<string, unknown>;
  recovery_suggestion: string;
  timestamp: string;
}

export type ErrorDetails = Record<string, unknown>;

/** Base of every error we raise on purpose. Anything else reaching the user is a bug. */
export class AppError extends Error {
  static readonly code: number = 0;
  static readonly recovery: string = "Try again. If it keeps happening, contact the operator.";

  readonly code: number;
  readonly details: ErrorDetails;
  readonly recoverySuggestion: string;
  readonly timestamp: string;

  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown; recovery?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const ctor = this.constructor as typeof AppError;
    this.name = ctor.name;
    this.code = ctor.code;
    this.details = details;
    this.recoverySuggestion = options?.recovery ?? ctor.recovery;
    this.timestamp = new Date().toISOString();
  }

  toJSON(): ErrorResponse {
    return {
      error_code: this.code,
      error_class: this.name,
      message: this.message,
      details: this.details,
      recovery_suggestion: this.recoverySuggestion,
      timestamp: this.timestamp,
    };
  }
}

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
export class SchemaMismatchError extends CloudPredictionError {
  static override readonly code: number = 4002;
  static override readonly recovery: string = "Send a file with the columns the model was trained on.";
}

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

// === 6xxx data: what the user sent
export class DataError extends AppError {
  static override readonly code: number = 6000;
  static override readonly recovery: string = "Check the file and send it again.";
}
export class UnreadableFileError extends DataError {
  static override readonly code: number = 6001;
  static override readonly recovery: string = "Send a CSV, TSV, Excel (.xlsx) or Parquet file.";
}
export class EmptyFileError extends DataError {
  static override readonly code: number = 6002;
  static override readonly recovery: string = "Send a file with a header row and at least one data row.";
}
export class NoUsableTargetError extends DataError {
  static override readonly code: number = 6003;
  static override readonly recovery: string =
    "Pick a column with at least two distinct values as the target.";
}
export class DataLimitError extends DataError {
  static override readonly code: number = 6004;
  static override readonly recovery: string = "Send a smaller file: fewer rows or columns.";
}
export class MalformedDataError extends DataError {
  static override readonly code: number = 6005;
  static override readonly recovery: string = "Fix the line named in the message and send the file again.";
}
/** Reading a file ran out of the sandbox's memory or time (INGEST_MEMORY_MB, INGEST_TIMEOUT_SECONDS). */
export class IngestLimitError extends DataLimitError {
  static override readonly code: number = 6006;
  static override readonly recovery: string =
    "Send a smaller file (fewer rows or columns), or save it as CSV and send that.";
}

// === 7xxx models
export class ModelError extends AppError {
  static override readonly code: number = 7000;
  static override readonly recovery: string = "Train the model again.";
}
export class ModelIntegrityError extends ModelError {
  static override readonly code: number = 7001;
  static override readonly recovery: string =
    "The model file was changed or not signed by this bot. Train it again.";
}
export class InvalidParameterError extends ModelError {
  static override readonly code: number = 7002;
  static override readonly recovery: string = "Use a value inside the allowed range shown.";
}
export class NotFittedError extends ModelError {
  static override readonly code: number = 7003;
  static override readonly recovery: string = "Call fit before predict.";
}
export class TrainingFailedError extends ModelError {
  static override readonly code: number = 7004;
  static override readonly recovery: string =
    "Try another model, or check the data for constant or empty columns.";
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
