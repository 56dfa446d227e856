/**
 * Running Optuna's side: bench/optuna_bench.py under Debian's /usr/bin/python3 (python3-optuna), one JSON
 * request on stdin, one JSON answer on stdout.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Debian's interpreter, not the one on PATH (a pyenv build without optuna). */
export const PYTHON = "/usr/bin/python3";

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "sweep-hp") return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named "sweep-hp" above ${start}`);
  }
}

export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const SCRIPT = join(repoRoot, "bench", "optuna_bench.py");

/** Optuna's version, or why it cannot be used (so the bench can say so and run our side only). */
export function optunaAvailability(): { available: true; version: string } | { available: false; reason: string } {
  if (!existsSync(PYTHON)) return { available: false, reason: `${PYTHON} does not exist` };
  const probe = spawnSync(PYTHON, ["-c", "import optuna; print(optuna.__version__)"], { encoding: "utf8" });
  if (probe.status !== 0) {
    return {
      available: false,
      reason: `${PYTHON} cannot import optuna (install it with: apt-get update && apt-get install -y python3-optuna)`,
    };
  }
  return { available: true, version: probe.stdout.trim() };
}

export function callOptuna<T>(request: Readonly<Record<string, unknown>>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`optuna_bench.py ${JSON.stringify(request.mode)} exited with ${code}:\n${err.slice(-2000)}`));
      else resolve(JSON.parse(out) as T);
    });
    child.stdin.end(JSON.stringify(request));
  });
}
