/**
 * WorkflowStore on Redis. One hash per conversation ({prefix}:wf:{userId}:{chatId}) with the version, type,
 * state, snapshot and updatedAt; a set indexes active workflows and another the ones with long work; a capped
 * list per user keeps the history. Every workflow write is one Lua compare-and-set (redis-scripts.ts).
 */
import { Redis } from "ioredis";
import { KeyedQueue } from "./keyed-queue.js";
import {
  ACQUIRE_LEASE,
  CAS_DOC,
  CAS_WORKFLOW,
  INCREMENT_ONCE,
  RELEASE_LEASE,
  RENEW_LEASE,
} from "./redis-scripts.js";
import {
  type CasResult,
  type ChangeListener,
  type ConversationKey,
  decodeNotice,
  encodeNotice,
  HISTORY_CAP,
  type HistoryEntry,
  keyString,
  parseKeyString,
  type WorkflowRecord,
  type WorkflowStore,
  type WorkflowWrite,
} from "./store.js";

/**
 * Options of the client a URL creates. Auto-pipelining sends the commands issued in one tick as one write,
 * which is what concurrent conversations do (see bench/state/transitions.ts).
 */
export const REDIS_CLIENT_OPTIONS = {
  lazyConnect: false,
  maxRetriesPerRequest: 3,
  enableAutoPipelining: true,
};

/** Attempts of a read-modify-write on a user document before giving up (only other processes race us). */
const MAX_DOC_ATTEMPTS = 50;

export class RedisWorkflowStore implements WorkflowStore {
  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private subscriber?: Redis;
  private readonly listeners = new Set<ChangeListener>();
  private readonly docQueue = new KeyedQueue();

  /**
   * @param urlOrClient a redis:// URL or an existing client (not closed by close() if passed in)
   * @param prefix namespace for every key, so tests and deployments can share one server
   */
  constructor(
    urlOrClient: string | Redis,
    private readonly prefix: string,
  ) {
    this.ownsClient = typeof urlOrClient === "string";
    this.redis = typeof urlOrClient === "string" ? new Redis(urlOrClient, REDIS_CLIENT_OPTIONS) : urlOrClient;
  }

  /** The connection and a namespace of ours, for a grammY storage adapter (the bot's dialogs). */
  namespaceFor(name: string): { client: Redis; prefix: string } {
    return { client: this.redis, prefix: `${this.prefix}:${name}:` };
  }

  private wfKey(key: ConversationKey): string {
    return `${this.prefix}:wf:${keyString(key)}`;
  }
  private get activeKey(): string {
    return `${this.prefix}:wf-active`;
  }
  private get liveKey(): string {
    return `${this.prefix}:wf-live`;
  }
  private get channel(): string {
    return `${this.prefix}:wf-changed`;
  }
  private userKey(userId: number, name: string): string {
    return `${this.prefix}:user:${userId}:${name}`;
  }
  private leaseKey(name: string): string {
    return `${this.prefix}:lease:${name}`;
  }

  async read(key: ConversationKey): Promise<WorkflowRecord | null> {
    const [v, type, state, snap, updatedAt] = await this.redis.hmget(
      this.wfKey(key),
      "v",
      "type",
      "state",
      "snap",
      "updatedAt",
    );
    if (!v) return null;
    return {
      version: Number(v),
      workflowType: type ?? "",
      state: state ?? "",
      snapshot: snap ?? "",
      updatedAt: updatedAt ?? "",
    };
  }

  async readVersion(key: ConversationKey): Promise<number> {
    return Number((await this.redis.hget(this.wfKey(key), "v")) ?? 0);
  }

  async compareAndSet(
    key: ConversationKey,
    expectedVersion: number,
    write: WorkflowWrite,
  ): Promise<CasResult> {
    const keys = [this.wfKey(key), this.activeKey, this.liveKey, this.userKey(key.userId, "history")];
    const [ok, version] = (await CAS_WORKFLOW.run(this.redis, keys, [
      expectedVersion,
      write.workflowType,
      write.state,
      write.snapshot,
      new Date().toISOString(),
      write.active ? "1" : "0",
      write.active && write.live ? "1" : "0",
      keyString(key),
      write.history ? JSON.stringify(write.history) : "",
      HISTORY_CAP,
      this.channel,
      write.needsHost ? "1" : "0",
    ])) as [number, number];
    return ok === 1 ? { ok: true, version } : { ok: false, version };
  }

  async listActive(): Promise<ConversationKey[]> {
    return (await this.redis.smembers(this.activeKey)).map(parseKeyString);
  }

  async listLive(): Promise<ConversationKey[]> {
    return (await this.redis.smembers(this.liveKey)).map(parseKeyString);
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await ACQUIRE_LEASE.run(this.redis, [this.leaseKey(name)], [owner, ttlMs])) === 1;
  }

  async renewLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await RENEW_LEASE.run(this.redis, [this.leaseKey(name)], [owner, ttlMs])) === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await RELEASE_LEASE.run(this.redis, [this.leaseKey(name)], [owner]);
  }

  async publishChange(key: ConversationKey, version: number, needsHost = false): Promise<void> {
    await this.redis.publish(this.channel, encodeNotice(key, version, needsHost));
  }

  async onChange(listener: ChangeListener): Promise<() => Promise<void>> {
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      this.subscriber.on("message", (channel: string, message: string) => {
        if (channel !== this.channel) return;
        const { key, version, needsHost } = decodeNotice(message);
        for (const each of this.listeners) each(key, version, needsHost);
      });
      await this.subscriber.subscribe(this.channel);
    }
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async getUserDoc<T>(userId: number, name: string): Promise<T | undefined> {
    return parseDoc(await this.redis.get(this.userKey(userId, name))) as T | undefined;
  }

  async setUserDoc<T>(userId: number, name: string, value: T): Promise<void> {
    await this.redis.set(this.userKey(userId, name), JSON.stringify(value));
  }

  updateUserDoc<T>(userId: number, name: string, change: (current: unknown) => T): Promise<T> {
    const key = this.userKey(userId, name);
    // Serialized here, so only another process can make the compare-and-set fail.
    return this.docQueue.run(key, async () => {
      for (let attempt = 0; attempt < MAX_DOC_ATTEMPTS; attempt++) {
        const raw = await this.redis.get(key);
        const next = change(parseDoc(raw));
        const args = [raw ?? "", raw === null ? "1" : "0", JSON.stringify(next)];
        if ((await CAS_DOC.run(this.redis, [key], args)) === 1) return next;
      }
      throw new Error(`too much contention on user document ${name}`);
    });
  }

  async incrementUserCounter(
    userId: number,
    name: string,
    amount: number,
    onceToken?: string,
  ): Promise<number> {
    const keys = [this.userKey(userId, name), this.userKey(userId, `${name}:applied`)];
    const mode = Number.isSafeInteger(amount) ? "i" : "f";
    return Number(await INCREMENT_ONCE.run(this.redis, keys, [amount, onceToken ?? "", mode]));
  }

  async pushHistory(userId: number, entry: HistoryEntry, cap = HISTORY_CAP): Promise<void> {
    const key = this.userKey(userId, "history");
    await this.redis
      .multi()
      .lpush(key, JSON.stringify(entry))
      .ltrim(key, 0, cap - 1)
      .exec();
  }

  async listHistory(userId: number): Promise<HistoryEntry[]> {
    const items = await this.redis.lrange(this.userKey(userId, "history"), 0, -1);
    return items.map((item) => JSON.parse(item) as HistoryEntry);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.subscriber) await this.subscriber.quit().catch(() => undefined);
    if (this.ownsClient) await this.redis.quit().catch(() => undefined);
  }
}

/** A stored document, or undefined when there is none or it is not JSON (callers validate what they get). */
function parseDoc(raw: string | null): unknown {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
