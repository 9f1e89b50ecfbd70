/**
 * The embedded WorkflowStore: the same contract as Redis inside one process, for the playground and for
 * running without REDIS_URL. It keeps nothing across restarts unless given a file to save to.
 */
import { EventEmitter } from "node:events";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  type CasResult,
  type ChangeListener,
  type ConversationKey,
  HISTORY_CAP,
  type HistoryEntry,
  keyString,
  parseKeyString,
  type WorkflowRecord,
  type WorkflowStore,
  type WorkflowWrite,
} from "./store.js";

interface Lease {
  owner: string;
  expiresAt: number;
}

interface Saved {
  workflows: Array<[string, WorkflowRecord]>;
  active: string[];
  live?: string[];
  userDocs: Array<[string, unknown]>;
  history: Array<[number, HistoryEntry[]]>;
}

export class MemoryWorkflowStore implements WorkflowStore {
  private workflows = new Map<string, WorkflowRecord>();
  private active = new Set<string>();
  private live = new Set<string>();
  private leases = new Map<string, Lease>();
  private userDocs = new Map<string, unknown>();
  private history = new Map<number, HistoryEntry[]>();
  private readonly changes = new EventEmitter();
  private saveTimer?: NodeJS.Timeout;

  /** @param file optional JSON file: loaded at start, saved shortly after every change */
  constructor(private readonly file?: string) {
    if (file) this.load(file);
  }

  async read(key: ConversationKey): Promise<WorkflowRecord | null> {
    const record = this.workflows.get(keyString(key));
    return record ? { ...record } : null;
  }

  async readVersion(key: ConversationKey): Promise<number> {
    return this.workflows.get(keyString(key))?.version ?? 0;
  }

  async compareAndSet(
    key: ConversationKey,
    expectedVersion: number,
    write: WorkflowWrite,
  ): Promise<CasResult> {
    const k = keyString(key);
    const current = this.workflows.get(k)?.version ?? 0;
    if (current !== expectedVersion) return { ok: false, version: current };
    const version = current + 1;
    this.workflows.set(k, {
      version,
      workflowType: write.workflowType,
      state: write.state,
      snapshot: write.snapshot,
      updatedAt: new Date().toISOString(),
    });
    if (write.active) this.active.add(k);
    else this.active.delete(k);
    if (write.active && write.live) this.live.add(k);
    else this.live.delete(k);
    if (write.history) this.appendHistory(key.userId, write.history, HISTORY_CAP);
    this.scheduleSave();
    // Delivered later, as Redis pub/sub would be: the writer sees its result before anyone sees the notice.
    setImmediate(() => this.changes.emit("change", key, version, write.needsHost === true));
    return { ok: true, version };
  }

  async listActive(): Promise<ConversationKey[]> {
    return [...this.active].map(parseKeyString);
  }

  async listLive(): Promise<ConversationKey[]> {
    return [...this.live].map(parseKeyString);
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(name);
    if (lease && lease.owner !== owner && lease.expiresAt > Date.now()) return false;
    this.leases.set(name, { owner, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async renewLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(name);
    if (!lease || lease.owner !== owner || lease.expiresAt <= Date.now()) return false;
    lease.expiresAt = Date.now() + ttlMs;
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }

  async publishChange(key: ConversationKey, version: number, needsHost = false): Promise<void> {
    setImmediate(() => this.changes.emit("change", key, version, needsHost));
  }

  async onChange(listener: ChangeListener): Promise<() => Promise<void>> {
    this.changes.on("change", listener);
    return async () => {
      this.changes.off("change", listener);
    };
  }

  async getUserDoc<T>(userId: number, name: string): Promise<T | undefined> {
    const value = this.userDocs.get(`${userId}:${name}`);
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  async setUserDoc<T>(userId: number, name: string, value: T): Promise<void> {
    this.userDocs.set(`${userId}:${name}`, structuredClone(value));
    this.scheduleSave();
  }

  async updateUserDoc<T>(userId: number, name: string, change: (current: unknown) => T): Promise<T> {
    // Synchronous from read to write, so nothing can interleave.
    const k = `${userId}:${name}`;
    const current = this.userDocs.get(k);
    const next = change(current === undefined ? undefined : structuredClone(current));
    this.userDocs.set(k, structuredClone(next));
    this.scheduleSave();
    return next;
  }

  async incrementUserCounter(
    userId: number,
    name: string,
    amount: number,
    onceToken?: string,
  ): Promise<number> {
    const k = `${userId}:${name}`;
    if (onceToken !== undefined) {
      const tokensKey = `${k}:applied`;
      const applied = (this.userDocs.get(tokensKey) as string[] | undefined) ?? [];
      if (applied.includes(onceToken)) return Number(this.userDocs.get(k) ?? 0);
      this.userDocs.set(tokensKey, [...applied, onceToken]);
    }
    const next = Number(this.userDocs.get(k) ?? 0) + amount;
    this.userDocs.set(k, next);
    this.scheduleSave();
    return next;
  }

  async pushHistory(userId: number, entry: HistoryEntry, cap = HISTORY_CAP): Promise<void> {
    this.appendHistory(userId, entry, cap);
    this.scheduleSave();
  }

  private appendHistory(userId: number, entry: HistoryEntry, cap: number): void {
    this.history.set(userId, [entry, ...(this.history.get(userId) ?? [])].slice(0, cap));
  }

  async listHistory(userId: number): Promise<HistoryEntry[]> {
    return structuredClone(this.history.get(userId) ?? []);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.saveNow();
    }
    this.changes.removeAllListeners();
  }

  private scheduleSave(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, 200);
    this.saveTimer.unref();
  }

  private saveNow(): void {
    if (!this.file) return;
    const saved: Saved = {
      workflows: [...this.workflows],
      active: [...this.active],
      live: [...this.live],
      userDocs: [...this.userDocs],
      history: [...this.history],
    };
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(saved));
    renameSync(tmp, this.file);
  }

  private load(file: string): void {
    let saved: Saved;
    try {
      saved = JSON.parse(readFileSync(file, "utf8")) as Saved;
    } catch {
      return; // first start, or an unreadable file: start empty
    }
    this.workflows = new Map(saved.workflows);
    this.active = new Set(saved.active);
    this.live = new Set(saved.live ?? []);
    this.userDocs = new Map(saved.userDocs);
    this.history = new Map(saved.history);
  }
}
