/**
 * Paths for tests that need files outside the compiled tree (fixtures, clients, sweep files).
 * Tests run from compiled output (dist/test/... or a private .build/NAME/test/...), so the repository root is
 * the package root the runner finds by walking up to the package.json named "sweep-hp".
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../../src/runner/package-paths.js";

/** The repository root (where package.json, sweeps/, clients/ live). */
export const repoRoot = packageRoot;

/** The compiled tree this test runs from (dist/ or .build/NAME/), which holds src/, test/, ... as JS. */
export const buildRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** The CLI entry point, compiled. Spawn it with `process.execPath`. */
export const cliMain = join(buildRoot, "src", "cli", "main.js");

/** Test fixtures (executables, sweep files) live in the source tree, not the build. */
export const fixturesDir = join(repoRoot, "test", "fixtures");

/** KorSTS train/dev, shared beside the checkout. */
export const korstsDir = join(repoRoot, "..", "shared", "data", "korsts");
