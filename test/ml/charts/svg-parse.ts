/** A small reader for the charts' SVG: elements by tag and class, with their attributes as strings. */

export type Element = Record<string, string> & { tag: string; content: string };

export function elements(svg: string, tag: string, cls?: string): Element[] {
  const out: Element[] = [];
  const re = new RegExp(`<${tag}\\b([^>]*?)(/>|>([\\s\\S]*?)</${tag}>)`, "g");
  for (const m of svg.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    if (cls !== undefined && attrs.class !== cls) continue;
    out.push({ ...attrs, tag, content: m[3] ?? "" });
  }
  return out;
}

export const num = (e: Element, key: string): number => Number(e[key]);

/** Decoded text content of every <text> element. */
export function texts(svg: string): string[] {
  return elements(svg, "text").map((e) =>
    e.content.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))),
  );
}

/** Points of a polyline as [x, y] pairs. */
export function points(e: Element): Array<[number, number]> {
  return e.points.split(" ").map((p) => p.split(",").map(Number) as [number, number]);
}

/** Width and height from a PNG's IHDR chunk, after checking the 8-byte signature. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  signature.forEach((b, i) => {
    if (png[i] !== b) throw new Error("not a PNG");
  });
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
