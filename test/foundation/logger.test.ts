import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, scrubSecrets } from "../../src/logger.js";

describe("logger", () => {
  it("redacts secret-bearing fields at any depth", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger("info", sink);
    logger.info(
      { token: "123:SECRETTOKEN", config: { apiKey: "rpa_SECRET", aws: { secretAccessKey: "AKIASECRET" } } },
      "hello",
    );
    const out = lines.join("");
    expect(out).toContain("hello");
    expect(out).not.toMatch(/SECRETTOKEN|rpa_SECRET|AKIASECRET/);
    expect(out).toContain("[redacted]");
  });

  it("removes bot tokens from error texts", () => {
    const text =
      "Call to 'getFile' failed! https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getFile";
    expect(scrubSecrets(text)).not.toContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    expect(scrubSecrets(text)).toContain("bot<redacted>");
  });
});
