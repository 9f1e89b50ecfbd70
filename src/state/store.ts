/**
 * WorkflowStore: where workflow snapshots, leases and per-user data live. Two implementations share one
 * contract (test/state/store.contract.test.ts): Redis for production, and an embedded in-memory store for the
 * zero-setup playground and for single-process use.
 */

import { StateManagementError } from "../errors.js";

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

/** The seed's conversation id: a chat id, or "chatId:threadId" for a forum topic. */
export function conversationKey(userId: number, conversationId: string | number): ConversationKey {
  const [chatId, threadId] = String(conversationId).split(":").map(Number);
  if (!Number.isSafeInteger(chatId) || (threadId !== undefined && !Number.isSafeInteger(threadId)))
    throw new StateManagementError(`Bad conversation id ${conversationId}`, { conversationId });
  return threadId === undefined ? { userId, chatId } : { userId, chatId, threadId };
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

/** One committed change. The store applies all of it atomically, or none of it. */
export interface WorkflowWrite {
  workflowType: string;
  state: string;
  snapshot: string;
  /** Active workflows are listed for recovery on start-up; finished ones are not. */
  active: boolean;
  /** The state has invoked actors (long work) that a live actor must host; indexed for the recovery scan. */
  live?: boolean;
  /** Tells other processes that nobody hosts this state's long work yet (they may take its lease). */
  needsHost?: boolean;
  /** Appended to the user's capped history in the same atomic step (a workflow finishing). */
  history?: HistoryEntry;
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

/** A committed change as announced to every process. */
export type ChangeListener = (key: ConversationKey, version: number, needsHost: boolean) => void;

export interface WorkflowStore {
  read(key: ConversationKey): Promise<WorkflowRecord | null>;
  /** The stored version only (0 = absent): a cheap staleness check for hosted workflows. */
  readVersion(key: ConversationKey): Promise<number>;
  /**
   * Writes only if the stored version equals `expectedVersion` (0 = absent). Atomic with the indexes, the
   * history entry and the change notice, so a crash can never leave a commit half-announced.
   */
  compareAndSet(key: ConversationKey, expectedVersion: number, write: WorkflowWrite): Promise<CasResult>;
  /** Keys of every active workflow. */
  listActive(): Promise<ConversationKey[]>;
  /** Keys of active workflows whose state has long work (a subset of listActive), for the recovery scan. */
  listLive(): Promise<ConversationKey[]>;

  /** Takes the named lease if free (or already ours); true when we hold it afterwards. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends a lease we hold; false if it was lost. */
  renewLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  /** Announces a change to every process (compareAndSet already does this for its own writes). */
  publishChange(key: ConversationKey, version: number, needsHost?: boolean): Promise<void>;
  onChange(listener: ChangeListener): Promise<() => Promise<void>>;

  /** Per-user JSON documents that outlive workflows: language, budget, templates, model index, spend. */
  getUserDoc<T>(userId: number, name: string): Promise<T | undefined>;
  setUserDoc<T>(userId: number, name: string, value: T): Promise<void>;
  /**
   * Read-modify-write of a per-user document without lost updates: `change` gets the stored value (or
   * undefined) and returns the new one; on a concurrent change it is called again with the newer value.
   * `change` may throw to abort (nothing is written).
   */
  updateUserDoc<T>(userId: number, name: string, change: (current: unknown) => T): Promise<T>;
  /**
   * Atomically adds `amount` to a numeric per-user counter (integers stay exact, e.g. micro-dollars) and
   * returns the new total. With `onceToken`, a token already applied to this counter adds nothing.
   */
  incrementUserCounter(userId: number, name: string, amount: number, onceToken?: string): Promise<number>;

  pushHistory(userId: number, entry: HistoryEntry, cap?: number): Promise<void>;
  listHistory(userId: number): Promise<HistoryEntry[]>;

  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const HISTORY_CAP = 20;

/** The change notice on the wire: `{key}@{version}@{0|1}`. */
export function encodeNotice(key: ConversationKey, version: number, needsHost: boolean): string {
  return `${keyString(key)}@${version}@${needsHost ? 1 : 0}`;
}

export function decodeNotice(message: string): { key: ConversationKey; version: number; needsHost: boolean } {
  const [key, version, needsHost] = message.split("@");
  return { key: parseKeyString(key), version: Number(version), needsHost: needsHost === "1" };
}
