/**
 * WorkflowStore: where workflow snapshots, leases and per-user data live. Two implementations share one
 * contract (test/state/store.contract.test.ts): Redis for production, and an embedded in-memory store for the
 * zero-setup playground and for single-process use.
 */

/** A conversation: one active workflow per (user, chat[, thread]). */
export interface ConversationKey {
  userId: number;
  chatId: number;
  threadId?: number;
}

export function keyString(key: ConversationKey): string {
  return key.threadId === undefined
    ? `${key.userId}:${key.chatId}`
    : `${key.userId}:${key.chatId}:${key.threadId}`;
}

export function parseKeyString(text: string): ConversationKey {
  const [userId, chatId, threadId] = text.split(":").map(Number);
  if (!Number.isSafeInteger(userId) || !Number.isSafeInteger(chatId))
    throw new Error(`bad conversation key ${text}`);
  return threadId === undefined || Number.isNaN(threadId) ? { userId, chatId } : { userId, chatId, threadId };
}

/** What is stored for one conversation. `version` increases by one with every committed change. */
export interface WorkflowRecord {
  version: number;
  workflowType: string;
  /** Top-level state name, for listing and /admin without parsing the snapshot. */
  state: string;
  /** The versioned snapshot envelope, JSON. */
  snapshot: string;
  updatedAt: string;
}

export interface WorkflowWrite {
  workflowType: string;
  state: string;
  snapshot: string;
  /** Active workflows are listed for recovery on start-up; finished ones are not. */
  active: boolean;
}

export type CasResult = { ok: true; version: number } | { ok: false; version: number };

/** A finished workflow, kept in a capped per-user list for /history. */
export interface HistoryEntry {
  workflowType: string;
  workflowId: string;
  state: string;
  startedAt: string;
  finishedAt: string;
  summary: Record<string, unknown>;
}

export interface WorkflowStore {
  read(key: ConversationKey): Promise<WorkflowRecord | null>;
  /** Writes only if the stored version equals `expectedVersion` (0 = absent). Atomic. */
  compareAndSet(key: ConversationKey, expectedVersion: number, write: WorkflowWrite): Promise<CasResult>;
  /** Keys of every active workflow, for recovery. */
  listActive(): Promise<ConversationKey[]>;

  /** Takes the named lease if free (or already ours); true when we hold it afterwards. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends a lease we hold; false if it was lost. */
  renewLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  /** Announces a committed change to every process (pub/sub); subscribers reconcile their live actors. */
  publishChange(key: ConversationKey, version: number): Promise<void>;
  onChange(listener: (key: ConversationKey, version: number) => void): Promise<() => Promise<void>>;

  /** Per-user JSON documents that outlive workflows: language, budget, templates, model index, spend. */
  getUserDoc<T>(userId: number, name: string): Promise<T | undefined>;
  setUserDoc<T>(userId: number, name: string, value: T): Promise<void>;
  /** Atomically adds `amount` to a numeric per-user counter (e.g. monthly spend in cents); returns the new total. */
  incrementUserCounter(userId: number, name: string, amount: number): Promise<number>;

  pushHistory(userId: number, entry: HistoryEntry, cap?: number): Promise<void>;
  listHistory(userId: number): Promise<HistoryEntry[]>;

  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const HISTORY_CAP = 20;
