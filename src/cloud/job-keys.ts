/**
 * Per-job signing keys (issue 17 "Secrets stay home"). A cloud worker never gets MODEL_SIGNING_KEY: it signs
 * the model it trains (or checks the model it predicts with) with a key derived from it by HKDF-SHA256 for
 * exactly one job, user and model. The bot re-derives the same key to check what comes back, then re-signs the
 * model with its own key before storing it. A job key is useless outside its job: it cannot sign for another
 * user or model id, and the bot accepts it only while taking that one job's result in.
 */
import { hkdfSync } from "node:crypto";

/** What a job key is scoped to. */
export interface JobKeyScope {
  jobId: string;
  userId: number;
  modelId: string;
}

/** Versioned, so that a change of derivation can never verify against keys of the old one. */
const SALT = "statistical-modeling-agent/job-key/v1";
const KEY_BYTES = 32;

/** The job's signing key: 64 hex characters, the same for the same master key and scope. */
export function jobSigningKey(masterKey: string, scope: JobKeyScope): string {
  if (!masterKey) throw new Error("MODEL_SIGNING_KEY is required to derive a job key.");
  const info = `job:${scope.jobId}\nuser:${scope.userId}\nmodel:${scope.modelId}`;
  return Buffer.from(hkdfSync("sha256", masterKey, SALT, info, KEY_BYTES)).toString("hex");
}
