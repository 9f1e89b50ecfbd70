/** NaN and ±Infinity survive a sandbox's JSON result; a cell that merely says "NaN" stays text. */
import { describe, expect, it } from "vitest";
import { decodeNonFinite, encodeNonFinite } from "../../src/cloud/json-numbers.js";

describe("non-finite numbers through JSON", () => {
  it("brings NaN and ±Infinity back as numbers, and leaves strings and null alone", () => {
    const value = {
      r: Number.NaN,
      bounds: [Number.NEGATIVE_INFINITY, 1.5, Number.POSITIVE_INFINITY],
      top: [{ value: "NaN", share: 0.5 }, { value: "Infinity" }],
      missing: null,
      nested: { $number: "not a number word", x: Number.NaN },
    };
    const wire = JSON.parse(JSON.stringify(encodeNonFinite(value)));
    expect(wire.r).toEqual({ $number: "NaN" });
    expect(decodeNonFinite(wire)).toEqual(value);
  });

  it("does not decode a lookalike object with other keys or another text", () => {
    const wire = { a: { $number: "NaN", extra: 1 }, b: { $number: "42" } };
    expect(decodeNonFinite(wire)).toEqual(wire);
  });
});
