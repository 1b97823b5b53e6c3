// Build pinrelay.js: minify src/pinrelay.js into the Python package, print its gzipped size.
// The built file is committed, so the Python server never needs npm at run time.
// Usage: node build.mjs [output path]   (default: ../src/pinrelay/collect/static/pinrelay.js)
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { minify } from "terser";

export const GZIP_BUDGET = 2048; // issue 6: <= 2 KB gzipped (Datafly's collector is 5.2 KB)

const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

export async function build() {
  const source = readFileSync(join(here, "src", "pinrelay.js"), "utf8");
  const result = await minify(source.replaceAll("__VERSION__", pkg.version), {
    ecma: 2017,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  return result.code + "\n";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] || join(here, "..", "src", "pinrelay", "collect", "static", "pinrelay.js");
  const code = await build();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`pinrelay.js: ${code.length} bytes, ${gzipped} bytes gzipped (budget ${GZIP_BUDGET})`);
  if (gzipped > GZIP_BUDGET) {
    console.error(`pinrelay.js is over its size budget by ${gzipped - GZIP_BUDGET} bytes`);
    process.exit(1);
  }
}
