/** A raw Bot API client for conformance tests: the exact HTTP status and JSON body of each call. */
import type { BotApiServer } from "../../src/playground/bot-api/server.js";

export interface RawAnswer {
  status: number;
  body: {
    ok: boolean;
    // biome-ignore lint/suspicious/noExplicitAny: results are arbitrary Bot API objects read by assertions
    result?: any;
    error_code?: number;
    description?: string;
    parameters?: { retry_after?: number };
  };
}

export async function call(
  server: BotApiServer,
  method: string,
  payload: Record<string, unknown> = {},
  options: { token?: string; signal?: AbortSignal } = {},
): Promise<RawAnswer> {
  const response = await fetch(`${server.apiRoot}/bot${options.token ?? server.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(payload),
    signal: options.signal,
  });
  return { status: response.status, body: (await response.json()) as RawAnswer["body"] };
}

/** Calls and expects `ok: true`; returns the result. */
export async function ok(server: BotApiServer, method: string, payload: Record<string, unknown> = {}) {
  const answer = await call(server, method, payload);
  if (!answer.body.ok) throw new Error(`${method} failed: ${answer.status} ${answer.body.description}`);
  return answer.body.result;
}

/** Calls and expects an error; returns `[status, description]`. */
export async function fails(server: BotApiServer, method: string, payload: Record<string, unknown> = {}) {
  const answer = await call(server, method, payload);
  if (answer.body.ok) throw new Error(`${method} unexpectedly succeeded`);
  expectEnvelope(answer);
  return [answer.status, answer.body.description] as const;
}

function expectEnvelope(answer: RawAnswer): void {
  const { ok: isOk, error_code, description } = answer.body;
  if (isOk !== false || error_code !== answer.status || typeof description !== "string") {
    throw new Error(`not Telegram's error envelope: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/** A multipart upload the way grammY sends it: attach:// reference, unquoted filename. */
export async function upload(
  server: BotApiServer,
  method: string,
  field: string,
  fileName: string,
  bytes: Buffer,
  fields: Record<string, string>,
): Promise<RawAnswer> {
  const boundary = "----------testboundary0123456789";
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries({ ...fields, [field]: "attach://f1" })) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition:form-data;name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(
    Buffer.from(`--${boundary}\r\ncontent-disposition:form-data;name="f1";filename=${fileName}\r\n`),
    Buffer.from("content-type:application/octet-stream\r\n\r\n"),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  const response = await fetch(`${server.apiRoot}/bot${server.token}/${method}`, {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Buffer.concat(parts),
  });
  return { status: response.status, body: (await response.json()) as RawAnswer["body"] };
}
