import { AppError } from "../../errors.js";
import type { ErrorInfo } from "../ports.js";

/** Any thrown value as the small, JSON-safe error the machines keep in context (no stack, no secrets). */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof AppError) {
    return {
      code: error.code,
      errorClass: error.name,
      message: error.message,
      recovery: error.recoverySuggestion,
    };
  }
  const e = error as {
    error_code?: number;
    error_class?: string;
    message?: string;
    recovery_suggestion?: string;
  };
  if (typeof e?.error_code === "number") {
    return {
      code: e.error_code,
      errorClass: e.error_class ?? "AppError",
      message: e.message ?? "",
      recovery: e.recovery_suggestion ?? "",
    };
  }
  return {
    code: 0,
    errorClass: "InternalError",
    message: "Something went wrong on our side.",
    recovery: "Try again. If it keeps happening, contact the operator.",
  };
}
