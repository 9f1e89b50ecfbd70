/**
 * A small fake of RunPod's GraphQL API (runpod-api.md §1 and its checklist): a real GraphQL schema served
 * over node:http, so real queries with variables work. Today it answers `myself`; the full fake
 * (test/fakes/runpod) can grow from it by extending SCHEMA and the root value. Auth accepts
 * `Authorization: Bearer <key>` and `?api_key=`; failures are injected per request with `inject`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildSchema, graphql } from "graphql";

const SCHEMA = buildSchema(`
  type NetworkVolume { id: String! name: String size: Int dataCenterId: String }
  type User {
    id: String!
    email: String
    clientBalance: Float
    currentSpendPerHr: Float
    spendLimit: Float
    networkVolumes: [NetworkVolume]
  }
  type Query { myself: User }
`);

/** Failure modes seen on the real API (runpod-api.md §1, §7). */
export type RunPodFault =
  | "unauthorized" // 401
  | "waf-forbidden" // 403 with an HTML page
  | "internal-error" // 200 with errors[INTERNAL_SERVER_ERROR] and data.myself null
  | "myself-null" // 200 with data.myself null
  | "html-502" // Cloudflare-style HTML page
  | "rate-limited" // 429 with an HTML page and Retry-After
  | "hang"; // accepts the request, never answers

export interface FakeRunPodAccount {
  id: string;
  email: string;
  clientBalance: number;
  currentSpendPerHr: number;
  spendLimit: number;
  networkVolumes: Array<{ id: string; name: string; size: number; dataCenterId: string }>;
}

export interface FakeRunPod {
  /** The GraphQL endpoint, for RUNPOD_API_URL. */
  url: string;
  apiKey: string;
  account: FakeRunPodAccount;
  /** Every request received, in order (after auth, before faults). */
  requests: Array<{ query: string; variables?: Record<string, unknown>; authorized: boolean }>;
  /** Makes the next `times` requests fail with `fault` (default: every request from now on). */
  inject(fault: RunPodFault, times?: number): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const HTML_PAGE = (status: number) =>
  `<!DOCTYPE html><html><head><title>${status}</title></head><body>error code: ${status}</body></html>`;

export async function startFakeRunPod(options: { apiKey?: string } = {}): Promise<FakeRunPod> {
  const apiKey = options.apiKey ?? "rpa_TESTKEY0123456789";
  const account: FakeRunPodAccount = {
    id: "user_2fake0account",
    email: "analyst@example.com",
    clientBalance: 25.5,
    currentSpendPerHr: 0,
    spendLimit: 80,
    networkVolumes: [{ id: "v3zskt9gvb", name: "sma-data", size: 50, dataCenterId: "EU-RO-1" }],
  };
  const faults: Array<{ fault: RunPodFault; remaining: number }> = [];
  const requests: FakeRunPod["requests"] = [];
  const hanging = new Set<ServerResponse>();

  const nextFault = (): RunPodFault | undefined => {
    const head = faults[0];
    if (!head) return undefined;
    if (--head.remaining <= 0) faults.shift();
    return head.fault;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method !== "POST" || url.pathname !== "/graphql") return send(res, 404, { error: "not found" });
    const body = JSON.parse((await readAll(req)) || "{}") as {
      query?: string;
      variables?: Record<string, unknown>;
    };
    const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, "");
    const authorized = bearer === apiKey || url.searchParams.get("api_key") === apiKey;
    requests.push({ query: body.query ?? "", variables: body.variables, authorized });
    const fault = nextFault();
    if (fault === "hang") return void hanging.add(res);
    if (fault === "unauthorized" || !authorized) return send(res, 401, { error: "Unauthorized" });
    if (fault === "waf-forbidden") return sendHtml(res, 403);
    if (fault === "html-502") return sendHtml(res, 502);
    if (fault === "rate-limited") return sendHtml(res, 429, { "retry-after": "1" });
    if (fault === "myself-null") return send(res, 200, { data: { myself: null } });
    if (fault === "internal-error") {
      const message = "Something went wrong. Please try again later or contact support.";
      const error = { message, path: ["myself"], extensions: { code: "INTERNAL_SERVER_ERROR" } };
      return send(res, 200, { errors: [error], data: { myself: null } });
    }
    const result = await graphql({
      schema: SCHEMA,
      source: body.query ?? "",
      variableValues: body.variables,
      rootValue: { myself: () => account },
    });
    // Schema and validation errors come back as 400 (runpod-api.md §1), resolver errors as 200.
    send(res, result.errors && !result.data ? 400 : 200, result);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    apiKey,
    account,
    requests,
    inject(fault, times = Number.POSITIVE_INFINITY) {
      faults.push({ fault, remaining: times });
    },
    clearFaults() {
      faults.splice(0);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/html", ...headers }).end(HTML_PAGE(status));
}
