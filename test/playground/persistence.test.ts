/** The playground's state file: chats, files, commands and unconfirmed updates survive a restart. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startPlayground } from "../../src/playground/index.js";
import { ok } from "./bot-api-client.js";

describe("playground persistence", () => {
  const dir = mkdtempSync(join(tmpdir(), "playground-state-"));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("restores the transcript, files, commands and pending updates", async () => {
    const stateFile = join(dir, "state.json");
    const first = await startPlayground({ port: 0, stateFile });
    first.server.userProfile(7, { firstName: "Grace", languageCode: "en" });
    first.server.sendText(7, "/start");
    await ok(first.server, "getUpdates", { offset: 2 });
    const doc = first.server.sendDocument(7, "iris.csv", Buffer.from("a,b\n1,2\n"));
    await ok(first.server, "sendMessage", { chat_id: 7, text: "Got it" });
    await ok(first.server, "setMyCommands", { commands: [{ command: "train", description: "Train" }] });
    await first.close();

    const second = await startPlayground({ port: 0, stateFile });
    try {
      expect(second.server.messages(7).map((m) => m.text ?? m.document?.file_name)).toEqual([
        "/start",
        "iris.csv",
        "Got it",
      ]);
      expect(second.server.users()).toMatchObject([{ id: 7, first_name: "Grace" }]);
      expect(second.server.commandsFor(7, "en")).toEqual([{ command: "train", description: "Train" }]);
      const pending = await ok(second.server, "getUpdates");
      expect(pending).toMatchObject([{ update_id: 2, message: { document: { file_name: "iris.csv" } } }]);
      expect(second.server.fileBytes(doc.document?.file_id ?? "")?.toString()).toBe("a,b\n1,2\n");
      const next = second.server.sendText(7, "after restart");
      expect(next.message_id).toBe(4);
    } finally {
      await second.close();
    }
  });
});
