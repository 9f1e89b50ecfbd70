/**
 * Downloads are streamed to disk through a byte counter, under a time limit: a file_size that lies (or is
 * missing) cannot make the bot hold more than the limit, and nothing half-written is left behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Api } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadTelegramFile } from "../../src/bot/files.js";
import { DataLimitError, DownloadError } from "../../src/errors.js";

const MB = 1024 * 1024;
let server: Server;
let apiRoot: string;
let stagingDir: string;
/** Bytes written before the response stalls (for the timeout case). */
let stallAfter = Number.POSITIVE_INFINITY;

beforeAll(async () => {
  stagingDir = mkdtempSync(join(tmpdir(), "sma-download-"));
  // Serves /file/bot<token>/<size>.bin as that many bytes, chunked (no Content-Length), 64 KB at a time.
  server = createServer((req, res) => {
    const size = Number(/\/(\d+)\.bin$/.exec(req.url ?? "")?.[1] ?? 0);
    res.writeHead(200, { "content-type": "application/octet-stream" });
    let sent = 0;
    const more = () => {
      while (sent < size && sent < stallAfter) {
        const n = Math.min(64 * 1024, size - sent);
        sent += n;
        if (!res.write(Buffer.alloc(n, 0x61))) return void res.once("drain", more);
      }
      if (sent >= size) res.end();
    };
    more();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(stagingDir, { recursive: true, force: true });
});

/** A Bot API whose getFile points at `size` bytes. */
const api = (size: number) => ({ getFile: async () => ({ file_path: `${size}.bin` }) }) as unknown as Api;
const options = { token: "t", maxBytes: 2 * MB, timeoutMs: 5000, userId: 7 };
const uploads = () => readdirSync(join(stagingDir, "uploads", "7"));

describe("downloadTelegramFile", () => {
  it("streams a file under the limit to the staging folder", async () => {
    const file = await downloadTelegramFile(api(MB), { ...options, apiRoot, stagingDir }, { file_id: "a" });
    expect(file.sizeBytes).toBe(MB);
    expect(readFileSync(file.path).length).toBe(MB);
    rmSync(file.path);
  });

  it("stops at the limit when file_size is missing or lies, and leaves no partial file", async () => {
    for (const declared of [undefined, 1000]) {
      const download = downloadTelegramFile(
        api(50 * MB),
        { ...options, apiRoot, stagingDir },
        {
          file_id: "b",
          file_size: declared,
        },
      );
      await expect(download).rejects.toThrow(DataLimitError);
    }
    expect(uploads()).toEqual([]);
  });

  it("gives up after the time limit on a download that stalls", async () => {
    stallAfter = 256 * 1024;
    try {
      const download = downloadTelegramFile(
        api(MB),
        { ...options, timeoutMs: 300, apiRoot, stagingDir },
        {
          file_id: "c",
        },
      );
      await expect(download).rejects.toThrow(DownloadError);
      await expect(download).rejects.toThrow(/took longer than 0.3 s/);
    } finally {
      stallAfter = Number.POSITIVE_INFINITY;
    }
    expect(uploads()).toEqual([]);
  });
});
