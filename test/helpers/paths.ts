/**
 * Paths for tests that need files outside the compiled tree (fixtures, clients, sweep files).
 * Tests run from compiled output (dist/test/... or a private .build/NAME/test/...), so the repository root is
 * found by walking up to the package.json named "sweep" rather than by a fixed number of "..".
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "sweep") return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named "sweep" above ${start}`);
    dir = parent;
  }
}

/** The repository root (where package.json, sweeps/, clients/ live). */
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** The compiled tree this test runs from (dist/ or .build/NAME/), which holds src/, test/, ... as JS. */
export const buildRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** The CLI entry point, compiled. Spawn it with `process.execPath`. */
export const cliMain = join(buildRoot, "src", "cli", "main.js");

/** Test fixtures (executables, sweep files) live in the source tree, not the build. */
export const fixturesDir = join(repoRoot, "test", "fixtures");

/** KorSTS train/dev, shared beside the checkout. */
export const korstsDir = join(repoRoot, "..", "shared", "data", "korsts");
