/** Loads the shared datasets from test/fixtures (copied from shared/data) as frames. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readTable } from "../../../src/ml/index.js";
import type { Frame } from "../../../src/ml/types.js";

const cache = new Map<string, Promise<Frame>>();

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
}

export function loadFixture(
  name: "diabetes" | "breast_cancer" | "wine" | "iris" | "penguins",
): Promise<Frame> {
  let f = cache.get(name);
  if (!f) {
    f = readTable(readFileSync(fixturePath(`${name}.csv`)), { fileName: `${name}.csv` });
    cache.set(name, f);
  }
  return f;
}

export const enc = (s: string) => new TextEncoder().encode(s);

/** A frame from CSV text. */
export function csvFrame(text: string): Promise<Frame> {
  return readTable(enc(text), { fileName: "inline.csv" });
}
