/**
 * Run the compiled `sweep` CLI as a real child process. Asynchronous, so a suite's read-only queries can run
 * side by side (`describe(..., { concurrency: true })`): each start of the CLI costs a few hundred ms.
 */
import { spawn } from "node:child_process";
import { cliMain, repoRoot } from "../helpers/paths.js";

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function sweepCli(args: readonly string[], cwd = repoRoot): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
