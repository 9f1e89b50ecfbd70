/**
 * The bot's layers never parse a user's table: no file under src/flows or src/bot names the table reader
 * (readTable, the per-format readers in src/ml/io) or the removed in-process path (readStoredFrame). Every
 * table goes through the ingest port's sandbox instead; test/flows/stats-actors.test.ts checks the behaviour.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const FORBIDDEN = /\breadTable\b|\breadStoredFrame\b|ml\/io\//;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe("no table parsing in the bot process", () => {
  it("finds no table reader in src/flows or src/bot", () => {
    const files = ["src/flows", "src/bot"].flatMap((d) => sourceFiles(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files
      .filter((f) => FORBIDDEN.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
