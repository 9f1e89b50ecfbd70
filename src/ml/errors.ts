/**
 * The engine's errors: what went wrong with the data a user sent or with a model, each with the code and
 * recovery hint the seed's table gives it (CLOUD_API_REFERENCE.md §8) and the seed's response format.
 * The engine imports nothing from the project, so the root of the hierarchy, AppError, lives here too;
 * src/errors.ts re-exports these classes and adds the cloud, state and access errors around them, so
 * `instanceof` and the serialized `error_class` are the same wherever an error is caught.
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

// === 4xxx prediction (the engine's one: the rest are the cloud layer's, in src/errors.ts)
/** The file to predict on lacks columns the model was trained on (or has them with the wrong type). */
export class SchemaMismatchError extends AppError {
  static override readonly code: number = 4002;
  static override readonly recovery: string = "Send a file with the columns the model was trained on.";
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
