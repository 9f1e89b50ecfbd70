/** Small HTTP helpers of the fake. */
import type { IncomingMessage, ServerResponse } from "node:http";

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** Cloudflare-style error pages, which 429/5xx answers carry instead of JSON (runpod-api.md §1). */
export function sendHtml(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const page = `<!DOCTYPE html><html><head><title>${status}</title></head><body>error code: ${status}</body></html>`;
  res.writeHead(status, { "content-type": "text/html", ...headers }).end(page);
}
