/**
 * One renderer for every chart: SVG → PNG with resvg, using only the DejaVu fonts shipped in node_modules
 * (system fonts off), so a chart looks the same on every machine. resvg is a native module, loaded on the
 * first render so importing the engine (e.g. in a prediction handler) does not load it.
 */
import { createRequire } from "node:module";
import type { ResvgRenderOptions } from "@resvg/resvg-js";
import { FONT_FAMILY, WIDTH } from "./svg.js";

const require = createRequire(import.meta.url);

type ResvgModule = typeof import("@resvg/resvg-js");
let resvg: ResvgModule | undefined;
let options: ResvgRenderOptions | undefined;

function renderOptions(): ResvgRenderOptions {
  options ??= {
    fitTo: { mode: "width", value: WIDTH },
    background: "#ffffff",
    font: {
      loadSystemFonts: false,
      fontFiles: [
        require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
        require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
      ],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    shapeRendering: 2,
    textRendering: 1,
    logLevel: "off",
  };
  return options;
}

/** Renders an SVG document to PNG bytes (1080 px wide). */
export function svgToPng(svg: string): Uint8Array {
  resvg ??= require("@resvg/resvg-js") as ResvgModule;
  const png = new resvg.Resvg(svg, renderOptions()).render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
