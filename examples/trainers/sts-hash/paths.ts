/**
 * Default data paths. The trainer runs compiled from dist/ (or a private build folder), so the shipped
 * sample is found by walking up from this file to the repository root, the folder whose package.json is
 * named "sweep-hp", rather than by a fixed number of "..".
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DefaultPaths } from "./args.js";

export function findRepoRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name === "sweep-hp") return dir;
      } catch {
        // Unreadable or not JSON: not ours, keep walking.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The shipped KorSTS sample; if the repository root cannot be found, paths that say so when opened. */
export function defaultDataPaths(): DefaultPaths {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = findRepoRoot(here);
  if (root === undefined) {
    const missing = `<no sweep repository above ${here}; pass --train and --dev>`;
    return { train: missing, dev: missing };
  }
  const sample = join(root, "examples", "data", "korsts-sample");
  return { train: join(sample, "train.tsv"), dev: join(sample, "dev.tsv") };
}
