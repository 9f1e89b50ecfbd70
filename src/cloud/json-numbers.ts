/**
 * NaN and ±Infinity through JSON (a sandbox's result.json): JSON has no such numbers and would turn them
 * into null, so a correlation of a constant column or an infinite test statistic would come back as
 * something else than the engine computed. They travel as `{ "$number": "NaN" }`, an object no value read
 * from a table can be, so the decoding cannot mistake a cell that says "NaN" for a number.
 */

const KEY = "$number";

/** The value as JSON-ready data, with every non-finite number wrapped. */
export function encodeNonFinite<T>(value: T): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v) =>
      typeof v === "number" && !Number.isFinite(v) ? { [KEY]: String(v) } : v,
    ),
  );
}

/** The inverse of encodeNonFinite. */
export function decodeNonFinite(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, v) => (isWrapped(v) ? Number(v[KEY]) : v));
}

function isWrapped(v: unknown): v is Record<typeof KEY, string> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  const text = (v as Record<string, unknown>)[KEY];
  return (
    keys.length === 1 && keys[0] === KEY && (text === "NaN" || text === "Infinity" || text === "-Infinity")
  );
}
