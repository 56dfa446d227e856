/**
 * The public declaration files must type-check in a user's strict project without `@types/better-sqlite3`,
 * `@types/pg` or `@types/node` (docs/packaging.md, "Types"). This walks the import graph of the built
 * dist/src/index.d.ts, as tsc does, and checks which packages and Node globals it reaches. The slow,
 * end-to-end version of the same promise is test/packaging/tarball.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { buildRoot } from "../helpers/paths.js";

/** Packages whose types the public declarations may name: dependencies that ship their own types. */
const ALLOWED_PACKAGES = new Set(["yaml"]);

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)"([^"]+)"/g;
const REFERENCE = /\/\/\/\s*<reference\s+(?:types|path)="([^"]+)"/g;

function reachable(entry: string): { files: string[]; packages: Map<string, string> } {
  const files: string[] = [];
  const packages = new Map<string, string>();
  const pending = [entry];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    files.push(file);
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    for (const match of [...text.matchAll(IMPORT), ...text.matchAll(REFERENCE)]) {
      const spec = match[1]!;
      if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, ".d.ts"));
        assert.ok(existsSync(target), `${relative(buildRoot, file)} imports ${spec}, which has no declaration file`);
        pending.push(target);
      } else if (!packages.has(spec)) {
        packages.set(spec, relative(buildRoot, file));
      }
    }
  }
  return { files, packages };
}

test("the public declarations name no third-party types but yaml's, and no Node globals", () => {
  const { files, packages } = reachable(join(buildRoot, "src", "index.d.ts"));
  assert.ok(files.length > 10, `walked ${files.length} declaration files`);
  for (const [spec, file] of packages) {
    const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
    assert.ok(ALLOWED_PACKAGES.has(name), `${file} imports "${spec}": its types are not a dependency of the package`);
  }
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    assert.doesNotMatch(text, /\bNodeJS\./, `${relative(buildRoot, file)} names the NodeJS namespace (@types/node)`);
    assert.doesNotMatch(text, /\bBuffer\b/, `${relative(buildRoot, file)} names Buffer (@types/node)`);
  }
});
