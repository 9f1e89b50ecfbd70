/**
 * Outgoing pacing serves answers to people first: while background sends (progress edits) wait for the
 * overall limit, an answer made later still goes ahead of them; within one chat, order is kept.
 */
import { Api } from "grammy";
import { describe, expect, it } from "vitest";
import { asBackground, PriorityBucket, throttle } from "../../src/bot/throttle.js";

/** An Api whose calls pass through the throttle and are recorded in the order they leave. */
function pacedApi(globalPerSecond: number, now: () => number = Date.now) {
  const sent: string[] = [];
  const api = new Api("123456:TEST-token-for-the-throttle-test");
  api.config.use(async (_prev, _method, payload) => {
    sent.push(String((payload as { text?: string }).text));
    return { ok: true, result: true } as never;
  });
  api.config.use(
    throttle({ perChatPerSecond: 1000, perChatBurst: 1000, perGroupPerMinute: 1000, globalPerSecond }, now),
  );
  return { api, sent };
}

describe("throttle", () => {
  it("sends an answer ahead of background edits already waiting for the overall limit", async () => {
    // The clock stands still until every call is queued, so no token comes due in between however slow the
    // machine is; then it runs.
    const start = Date.now();
    let frozen = true;
    const { api, sent } = pacedApi(50, () => (frozen ? start : Date.now()));
    // The burst (50) is spent first, so everything after it waits for tokens.
    await Promise.all(Array.from({ length: 50 }, (_, i) => api.sendMessage(1000 + i, `burst ${i}`)));
    const progress = asBackground(() =>
      Array.from({ length: 10 }, (_, i) => api.editMessageText(2000 + i, 1, `progress ${i}`)),
    );
    const answer = api.sendMessage(3000, "answer");
    await new Promise((queued) => setImmediate(queued));
    frozen = false;
    await Promise.all([...progress, answer]);
    expect(sent.slice(50)).toEqual(["answer", ...Array.from({ length: 10 }, (_, i) => `progress ${i}`)]);
  });

  it("keeps one chat's messages in order", async () => {
    const { api, sent } = pacedApi(20);
    await Promise.all(Array.from({ length: 30 }, (_, i) => api.sendMessage(7, `m${i}`)));
    expect(sent).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
  });

  it("hands out tokens at its rate, answers first, each kind in arrival order", async () => {
    const bucket = new PriorityBucket(1, 1 / 10, Date.now); // one token every 10 ms
    const order: string[] = [];
    const take = (name: string, answer: boolean) => bucket.take(answer).then(() => order.push(name));
    await take("first", true);
    const waiting = [take("b1", false), take("b2", false), take("a1", true), take("a2", true)];
    await Promise.all(waiting);
    expect(order).toEqual(["first", "a1", "a2", "b1", "b2"]);
  });
});
