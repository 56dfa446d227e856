/**
 * Where the installed package keeps its non-JS files (clients/python). Found by walking up from this
 * module to the package.json named "sweep-hp", so it works from dist/, a private build folder, or node_modules.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "sweep-hp") return dir;
      } catch {
        // unreadable or not JSON: not ours, keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the sweep package root above ${start}`);
    dir = parent;
  }
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** Folder of sweep_client.py and the Hugging Face callback; put on PYTHONPATH for children. */
export const pythonClientDir = join(packageRoot, "clients", "python");

/**
 * Folder holding the `wandb` compatibility package, put first on PYTHONPATH only when a sweep opts in
 * (`sweep.wandb_shim`, `--wandb-shim`): a folder of its own, so it never shadows a real wandb otherwise.
 */
export const wandbShimDir = join(pythonClientDir, "wandb_shim");
