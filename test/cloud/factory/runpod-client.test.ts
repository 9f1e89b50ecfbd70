/** src/cloud/runpod/client.ts against the fake RunPod GraphQL endpoint, one failure shape at a time. */
import { type AddressInfo, createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { classifyError } from "../../../src/cloud/retry.js";
import { MYSELF_QUERY, RunPodGraphqlClient } from "../../../src/cloud/runpod/client.js";
import { AppError, InvalidCredentialError } from "../../../src/errors.js";
import { type FakeRunPod, startFakeRunPod } from "../../helpers/fake-runpod-myself.js";

let fake: FakeRunPod;
let client: RunPodGraphqlClient;

beforeAll(async () => {
  fake = await startFakeRunPod();
  client = new RunPodGraphqlClient({ apiUrl: fake.url, apiKey: fake.apiKey, timeoutMs: 2_000 });
});
afterAll(() => fake.close());
afterEach(() => {
  fake.clearFaults();
  fake.requests.splice(0);
});

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  // The key must never leak into what gets logged or shown.
  const visible = JSON.stringify({ ...(error as AppError).toJSON(), stack: (error as Error).stack });
  expect(visible).not.toContain(fake.apiKey);
  return error as AppError;
}

describe("RunPodGraphqlClient", () => {
  it("sends the key as a Bearer header and returns data", async () => {
    const account = await client.myself();
    expect(account).toMatchObject({ id: fake.account.id, email: fake.account.email, spendLimit: 80 });
    expect(fake.requests).toEqual([{ query: MYSELF_QUERY, variables: undefined, authorized: true }]);
  });

  it("sends only the Bearer key and JSON headers: the deadline stays inside the middleware", async () => {
    const sent: Headers[] = [];
    const recording: typeof fetch = (input, init) => {
      sent.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    const watched = new RunPodGraphqlClient(
      { apiUrl: fake.url, apiKey: fake.apiKey, timeoutMs: 2_000 },
      recording,
    );
    await watched.myself({ timeoutMs: 1_500 });
    expect(sent).toHaveLength(1);
    expect(sent[0].get("authorization")).toBe(`Bearer ${fake.apiKey}`);
    expect([...sent[0].keys()].filter((name) => name.startsWith("x-"))).toEqual([]);
  });

  it("passes variables through", async () => {
    const data = await client.request<{ myself: { id: string } }>(
      "query Q($withEmail: Boolean!) { myself { id email @include(if: $withEmail) } }",
      { withEmail: false },
    );
    expect(data).toEqual({ myself: { id: fake.account.id } });
    expect(fake.requests[0].variables).toEqual({ withEmail: false });
  });

  it("maps 401 and a 403 page to InvalidCredentialError, not retryable", async () => {
    const wrongKey = new RunPodGraphqlClient({ apiUrl: fake.url, apiKey: "rpa_WRONG", timeoutMs: 2_000 });
    const unauthorized = await failureOf(wrongKey.myself());
    expect(unauthorized).toBeInstanceOf(InvalidCredentialError);
    expect(unauthorized.details).toMatchObject({ status: 401 });
    fake.inject("waf-forbidden", 1);
    const forbidden = await failureOf(client.myself());
    expect(forbidden).toBeInstanceOf(InvalidCredentialError);
    expect(classifyError(forbidden).action).toBe("stop");
  });

  it("reads errors on HTTP 200 and marks INTERNAL_SERVER_ERROR as transient", async () => {
    fake.inject("internal-error", 1);
    const error = await failureOf(client.myself());
    expect(error.message).toBe(
      "RunPod API error: Something went wrong. Please try again later or contact support.",
    );
    expect(error.details).toMatchObject({
      status: 200,
      retryable: true,
      graphqlErrors: [{ path: ["myself"], code: "INTERNAL_SERVER_ERROR" }],
    });
  });

  it("treats myself: null as transient, never as an empty account", async () => {
    fake.inject("myself-null", 1);
    const error = await failureOf(client.myself());
    expect(error.message).toMatch(/myself: null/);
    expect(classifyError(error).action).toBe("retry");
  });

  it("copes with an HTML 502 page", async () => {
    fake.inject("html-502", 1);
    const error = await failureOf(client.myself());
    expect(error.message).toBe("RunPod API error (HTTP 502, HTML or empty body).");
    expect(classifyError(error).action).toBe("retry");
  });

  it("honours Retry-After on 429", async () => {
    fake.inject("rate-limited", 1);
    const error = await failureOf(client.myself());
    expect(classifyError(error)).toEqual({ action: "wait", waitMs: 1000 });
  });

  it("reports a schema error (HTTP 400) as not retryable", async () => {
    const error = await failureOf(client.request("{ serverlessEndpoints { id } }"));
    expect(error.message).toMatch(/^RunPod API error: Cannot query field "serverlessEndpoints"/);
    expect(error.details).toMatchObject({ status: 400, retryable: false });
  });

  it("times out a request that never gets an answer", async () => {
    fake.inject("hang", 1);
    const error = await failureOf(client.myself({ timeoutMs: 300 }));
    expect(error.message).toBe("RunPod API did not answer within 0.3 s.");
    expect(classifyError(error).action).toBe("retry");
  });

  it("rethrows the caller's abort reason as is", async () => {
    fake.inject("hang", 1);
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const pending = client.myself({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });

  it("reports a closed port as unreachable and transient", async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}/graphql`;
    const closed = new RunPodGraphqlClient({ apiUrl, apiKey: "k", timeoutMs: 2_000 });
    const error = await failureOf(closed.myself());
    expect(error.message).toBe("RunPod API unreachable (ECONNREFUSED).");
    expect(classifyError(error).action).toBe("retry");
  });
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
