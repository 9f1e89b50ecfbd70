/**
 * WorkflowStore on Redis. One hash per conversation ({prefix}:wf:{userId}:{chatId}) with the version, state,
 * snapshot and updatedAt; a set indexes active workflows. Writes go through one Lua compare-and-set, which is
 * atomic on a shared ioredis connection (WATCH/MULTI is not: see reference/stack.md §6).
 */
import { Redis } from "ioredis";
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

const CAS_LUA = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if cur ~= tonumber(ARGV[1]) then return {0, cur} end
redis.call('HSET', KEYS[1], 'v', cur + 1, 'type', ARGV[2], 'state', ARGV[3], 'snap', ARGV[4], 'updatedAt', ARGV[5])
if ARGV[6] == '1' then redis.call('SADD', KEYS[2], ARGV[7]) else redis.call('SREM', KEYS[2], ARGV[7]) end
return {1, cur + 1}
`;

const RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** SET NX, or keep it if we already own it (re-entrant for the same owner). */
const ACQUIRE_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`;

export class RedisWorkflowStore implements WorkflowStore {
  private readonly redis: Redis;
  private subscriber?: Redis;

  /**
   * @param urlOrClient a redis:// URL or an existing client (not closed by close() if passed in)
   * @param prefix namespace for every key, so tests and deployments can share one server
   */
  constructor(
    urlOrClient: string | Redis,
    private readonly prefix: string,
  ) {
    this.redis =
      typeof urlOrClient === "string"
        ? new Redis(urlOrClient, { lazyConnect: false, maxRetriesPerRequest: 3 })
        : urlOrClient;
    this.ownsClient = typeof urlOrClient === "string";
  }

  private readonly ownsClient: boolean;

  private wfKey(key: ConversationKey): string {
    return `${this.prefix}:wf:${keyString(key)}`;
  }
  private get activeKey(): string {
    return `${this.prefix}:wf-active`;
  }
  private get channel(): string {
    return `${this.prefix}:wf-changed`;
  }

  async read(key: ConversationKey): Promise<WorkflowRecord | null> {
    const h = await this.redis.hgetall(this.wfKey(key));
    if (!h.v) return null;
    return {
      version: Number(h.v),
      workflowType: h.type ?? "",
      state: h.state ?? "",
      snapshot: h.snap ?? "",
      updatedAt: h.updatedAt ?? "",
    };
  }

  async compareAndSet(
    key: ConversationKey,
    expectedVersion: number,
    write: WorkflowWrite,
  ): Promise<CasResult> {
    const [ok, version] = (await this.redis.eval(
      CAS_LUA,
      2,
      this.wfKey(key),
      this.activeKey,
      String(expectedVersion),
      write.workflowType,
      write.state,
      write.snapshot,
      new Date().toISOString(),
      write.active ? "1" : "0",
      keyString(key),
    )) as [number, number];
    return ok === 1 ? { ok: true, version } : { ok: false, version };
  }

  async listActive(): Promise<ConversationKey[]> {
    const members = await this.redis.smembers(this.activeKey);
    return members.map(parseKeyString);
  }

  private leaseKey(name: string): string {
    return `${this.prefix}:lease:${name}`;
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_LUA, 1, this.leaseKey(name), owner, String(ttlMs))) === 1;
  }

  async renewLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW_LUA, 1, this.leaseKey(name), owner, String(ttlMs))) === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE_LUA, 1, this.leaseKey(name), owner);
  }

  async publishChange(key: ConversationKey, version: number): Promise<void> {
    await this.redis.publish(this.channel, `${keyString(key)}@${version}`);
  }

  async onChange(listener: (key: ConversationKey, version: number) => void): Promise<() => Promise<void>> {
    if (!this.subscriber) {
      this.subscriber = this.redis.duplicate();
      await this.subscriber.subscribe(this.channel);
    }
    const sub = this.subscriber;
    const handler = (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const at = message.lastIndexOf("@");
      listener(parseKeyString(message.slice(0, at)), Number(message.slice(at + 1)));
    };
    sub.on("message", handler);
    return async () => {
      sub.off("message", handler);
    };
  }

  private userKey(userId: number, name: string): string {
    return `${this.prefix}:user:${userId}:${name}`;
  }

  async getUserDoc<T>(userId: number, name: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.userKey(userId, name));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async setUserDoc<T>(userId: number, name: string, value: T): Promise<void> {
    await this.redis.set(this.userKey(userId, name), JSON.stringify(value));
  }

  async incrementUserCounter(userId: number, name: string, amount: number): Promise<number> {
    return Number(await this.redis.incrbyfloat(this.userKey(userId, name), amount));
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
    if (this.subscriber) await this.subscriber.quit().catch(() => undefined);
    if (this.ownsClient) await this.redis.quit().catch(() => undefined);
  }
}
