/**
 * The Lua scripts behind RedisWorkflowStore. Each one is a single atomic step, safe on the shared ioredis
 * connection (WATCH/MULTI is not: see reference/stack.md §6). They run by SHA and are loaded on first use.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** A script called with EVALSHA, falling back to EVAL once when the server does not know it yet. */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    return redis.evalsha(this.sha, keys.length, ...keys, ...args).catch((error: unknown) => {
      if (!String(error).includes("NOSCRIPT")) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    });
  }
}

/**
 * Compare-and-set of a workflow hash, with its indexes, the history entry and the change notice.
 * KEYS: wf hash, active set, live set, user history list.
 * ARGV: expected version, type, state, snapshot, updatedAt, active, live, member, history entry ('' = none),
 *       history cap, channel, needsHost.
 */
export const CAS_WORKFLOW = new RedisScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if cur ~= tonumber(ARGV[1]) then return {0, cur} end
local v = cur + 1
redis.call('HSET', KEYS[1], 'v', v, 'type', ARGV[2], 'state', ARGV[3], 'snap', ARGV[4], 'updatedAt', ARGV[5])
if ARGV[6] == '1' then redis.call('SADD', KEYS[2], ARGV[8]) else redis.call('SREM', KEYS[2], ARGV[8]) end
if ARGV[7] == '1' then redis.call('SADD', KEYS[3], ARGV[8]) else redis.call('SREM', KEYS[3], ARGV[8]) end
if ARGV[9] ~= '' then
  redis.call('LPUSH', KEYS[4], ARGV[9])
  redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[10]) - 1)
end
redis.call('PUBLISH', ARGV[11], ARGV[8] .. '@' .. v .. '@' .. ARGV[12])
return {1, v}
`);

/** Compare-and-set of a JSON document on its full previous text. ARGV: expected text, expect-absent, new text. */
export const CAS_DOC = new RedisScript(`
local cur = redis.call('GET', KEYS[1])
if ARGV[2] == '1' then
  if cur ~= false then return 0 end
elseif cur ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1
`);

/**
 * Adds to a counter, once per token when a token is given. KEYS: counter, applied-token set.
 * ARGV: amount, token ('' = none), 'i' (INCRBY, exact) or 'f' (INCRBYFLOAT).
 */
export const INCREMENT_ONCE = new RedisScript(`
if ARGV[2] ~= '' and redis.call('SADD', KEYS[2], ARGV[2]) == 0 then
  return redis.call('GET', KEYS[1]) or '0'
end
if ARGV[3] == 'i' then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
`);

/** SET NX, or keep it if we already own it (re-entrant for the same owner). */
export const ACQUIRE_LEASE = new RedisScript(`
local cur = redis.call('GET', KEYS[1])
if cur == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`);

export const RENEW_LEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

export const RELEASE_LEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);
