/**
 * `npm run build:lambda`: bundles the prediction handler (src/worker/lambda.ts) with esbuild into one ES module
 * and zips it with fflate: dist/lambda/lambda.zip, handler `index.handler`, runtime nodejs22.x (or nodejs24.x). Dependencies
 * (the AWS SDK included) are bundled, so the function runs the versions this repo pins. Deploy it with
 * LambdaManager.updateFunctionCode(zipPath) or `aws lambda update-function-code` (src/worker/README.md).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { zipSync } from "fflate";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface LambdaBuild {
  bundlePath: string;
  zipPath: string;
  bundleBytes: number;
  zipBytes: number;
}

export async function buildLambda(outDir = join(ROOT, "dist", "lambda")): Promise<LambdaBuild> {
  mkdirSync(outDir, { recursive: true });
  const bundlePath = join(outDir, "index.mjs");
  await build({
    entryPoints: [join(ROOT, "src", "worker", "lambda.ts")],
    outfile: bundlePath,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    // Error classes are identified by name across processes (error_class): names must survive minifying.
    keepNames: true,
    legalComments: "none",
    // Bundled CommonJS packages call require(); give the ES module one.
    banner: { js: "import { createRequire as __smaCreateRequire } from 'node:module'; const require = __smaCreateRequire(import.meta.url);" },
    logLevel: "warning",
  });
  const bundle = readFileSync(bundlePath);
  // The zip stores index.mjs at its root, so the handler is "index.handler".
  const zip = zipSync({ "index.mjs": [new Uint8Array(bundle), { level: 9 }] }, { mtime: new Date("2026-01-01T00:00:00Z") });
  const zipPath = join(outDir, "lambda.zip");
  writeFileSync(zipPath, zip);
  return { bundlePath, zipPath, bundleBytes: bundle.length, zipBytes: zip.length };
}

if (resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) {
  const out = await buildLambda(process.argv[2] ? resolve(process.argv[2]) : undefined);
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(`${out.zipPath}: ${mb(out.zipBytes)} MB zipped (${mb(out.bundleBytes)} MB bundle); handler index.handler`);
}
