/** sendDocument, sendPhoto, getFile and the file route: multipart with attach://, file_id reuse, size limits. */
import { Resvg } from "@resvg/resvg-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BotApiServer, startBotApiServer } from "../../src/playground/bot-api/server.js";
import { call, fails, ok, upload } from "./bot-api-client.js";

const ALICE = 111;
const MB = 1024 * 1024;

function png(width: number, height: number): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#39c"/></svg>`;
  return Buffer.from(new Resvg(svg).render().asPng());
}

async function download(server: BotApiServer, fileId: string): Promise<Buffer> {
  const file = await ok(server, "getFile", { file_id: fileId });
  const response = await fetch(`${server.apiRoot}/file/bot${server.token}/${file.file_path}`);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe("files", () => {
  let server: BotApiServer;

  beforeEach(async () => {
    server = await startBotApiServer({ web: false, limits: { rateLimit: false } });
    server.sendText(ALICE, "hi");
  });
  afterEach(() => server.close());

  it("sendDocument takes a multipart upload by attach:// with an unquoted file name and keeps bytes exact", async () => {
    const bytes = Buffer.from([0, 255, 13, 10, 45, 45, 0x80, 0x7f]);
    const answer = await upload(server, "sendDocument", "document", "my data; v2.csv", bytes, {
      chat_id: String(ALICE),
      caption: "<b>Results</b>",
      parse_mode: "HTML",
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "Again", callback_data: "again" }]] }),
    });
    expect(answer.status).toBe(200);
    const message = answer.body.result;
    expect(message.document).toMatchObject({
      file_name: "my data; v2.csv",
      mime_type: "text/csv",
      file_size: 8,
    });
    expect(message.caption).toBe("Results");
    expect(message.caption_entities).toEqual([{ type: "bold", offset: 0, length: 7 }]);
    expect(message.reply_markup.inline_keyboard[0][0].text).toBe("Again");
    expect(await download(server, message.document.file_id)).toEqual(bytes);
  });

  it("resends a stored file by file_id and refuses an unknown one", async () => {
    const user = server.sendDocument(ALICE, "iris.csv", Buffer.from("a\n1\n"));
    const fileId = user.document?.file_id;
    const resent = await ok(server, "sendDocument", { chat_id: ALICE, document: fileId });
    expect(resent.document.file_id).toBe(fileId);
    expect(await fails(server, "sendDocument", { chat_id: ALICE, document: "nope" })).toEqual([
      400,
      "Bad Request: wrong file identifier/HTTP URL specified",
    ]);
    expect(await fails(server, "sendDocument", { chat_id: ALICE })).toEqual([
      400,
      "Bad Request: there is no document in the request",
    ]);
  });

  it("sendPhoto reads the image size and returns PhotoSizes, smallest first", async () => {
    const answer = await upload(server, "sendPhoto", "photo", "chart.png", png(1000, 500), {
      chat_id: String(ALICE),
    });
    const sizes = answer.body.result.photo as Array<{ width: number; height: number; file_id: string }>;
    expect(sizes.map((s) => [s.width, s.height])).toEqual([
      [90, 45],
      [320, 160],
      [800, 400],
      [1000, 500],
    ]);
    expect(await download(server, sizes[3].file_id)).toEqual(png(1000, 500));
    const notImage = await upload(
      server,
      "sendPhoto",
      "photo",
      "x.png",
      Buffer.from("not an image at all, really"),
      {
        chat_id: String(ALICE),
      },
    );
    expect(notImage.body.description).toBe("Bad Request: IMAGE_PROCESS_FAILED");
    const thin = await upload(server, "sendPhoto", "photo", "x.png", png(420, 20), {
      chat_id: String(ALICE),
    });
    expect(thin.body.description).toBe("Bad Request: PHOTO_INVALID_DIMENSIONS");
  });

  it("caps captions at 1024 characters after parsing", async () => {
    const user = server.sendDocument(ALICE, "d.csv", Buffer.from("x"));
    const document = user.document?.file_id;
    expect(
      (await ok(server, "sendDocument", { chat_id: ALICE, document, caption: "c".repeat(1024) })).caption,
    ).toHaveLength(1024);
    expect(
      await fails(server, "sendDocument", { chat_id: ALICE, document, caption: "c".repeat(1025) }),
    ).toEqual([400, "Bad Request: message caption is too long"]);
  });

  it("getFile refuses files over 20 MB; the file route serves only paths getFile handed out", async () => {
    const big = server.sendDocument(ALICE, "big.csv", Buffer.alloc(20 * MB + 1, 97));
    expect(await fails(server, "getFile", { file_id: big.document?.file_id })).toEqual([
      400,
      "Bad Request: file is too big",
    ]);
    const atLimit = server.sendDocument(ALICE, "ok.csv", Buffer.alloc(20 * MB, 97));
    expect((await download(server, atLimit.document?.file_id ?? "")).length).toBe(20 * MB);
    expect(await fails(server, "getFile", { file_id: "missing" })).toEqual([
      400,
      "Bad Request: invalid file_id",
    ]);
    const guessed = await fetch(`${server.apiRoot}/file/bot${server.token}/documents/file_9.csv`);
    expect(guessed.status).toBe(404);
    const wrongToken = await fetch(`${server.apiRoot}/file/bot1:nope/documents/file_0.csv`);
    expect(wrongToken.status).toBe(401);
  });

  it("refuses uploads over 50 MB with 413", async () => {
    const answer = await upload(server, "sendDocument", "document", "huge.bin", Buffer.alloc(50 * MB + 1), {
      chat_id: String(ALICE),
    });
    expect([answer.status, answer.body]).toEqual([
      413,
      { ok: false, error_code: 413, description: "Request Entity Too Large" },
    ]);
    expect((await call(server, "getMe")).status).toBe(200);
  });
});
