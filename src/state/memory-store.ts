/**
 * The embedded WorkflowStore: the same contract as Redis inside one process, for the playground and for
 * running without REDIS_URL. It keeps nothing across restarts unless given a file to save to.
 */
import { EventEmitter } from "node:events";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  type CasResult,
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
  userDocs: Array<[string, unknown]>;
  history: Array<[number, HistoryEntry[]]>;
}

export class MemoryWorkflowStore implements WorkflowStore {
  private workflows = new Map<string, WorkflowRecord>();
  private active = new Set<string>();
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
    this.scheduleSave();
    return { ok: true, version };
  }

  async listActive(): Promise<ConversationKey[]> {
    return [...this.active].map(parseKeyString);
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

  async publishChange(key: ConversationKey, version: number): Promise<void> {
    this.changes.emit("change", key, version);
  }

  async onChange(listener: (key: ConversationKey, version: number) => void): Promise<() => Promise<void>> {
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

  async incrementUserCounter(userId: number, name: string, amount: number): Promise<number> {
    const k = `${userId}:${name}`;
    const next = Number(this.userDocs.get(k) ?? 0) + amount;
    this.userDocs.set(k, next);
    this.scheduleSave();
    return next;
  }

  async pushHistory(userId: number, entry: HistoryEntry, cap = HISTORY_CAP): Promise<void> {
    const list = [entry, ...(this.history.get(userId) ?? [])].slice(0, cap);
    this.history.set(userId, list);
    this.scheduleSave();
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
    this.userDocs = new Map(saved.userDocs);
    this.history = new Map(saved.history);
  }
}
