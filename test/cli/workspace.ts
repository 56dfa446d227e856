/**
 * A workspace for the CLI contract tests: a temp folder with a real SQLite storage made by running a tiny
 * sweep with the fake trainer (and a second sweep stored but never run, so `resume`/`agent` would have
 * trials to start), sweep files, the fake nvidia-smi (4 GPUs) first on PATH and a record folder where each
 * fake trainer leaves a file when it starts.
 *
 * `snapshot()` hashes every file under the folder, so a test can check that a refused command changed
 * nothing, byte for byte; `restore()` puts it back after a command that was allowed to change things.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import { AsyncLocalStorage } from "node:async_hooks";
import { main } from "../../src/cli/main.js";
import { parseSweepConfig } from "../../src/config/index.js";
import { openStorage } from "../../src/storage/index.js";
import { Sweep } from "../../src/study/index.js";
import { cliMain, fixturesDir } from "../helpers/paths.js";

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const fakeTrainer = join(fixturesDir, "fake-trainer.mjs");

/** A one-epoch grid sweep over `points` values of x: each trial is a node start and ~1 ms of "training". */
function gridSweep(points: number): string {
  const values = Array.from({ length: points }, (_, i) => i + 1).join(", ");
  return [`program: ${fakeTrainer}`, "method: grid", "metric: {name: score, goal: maximize}", "parameters:", `  x: {values: [${values}]}`, "  epochs: {value: 1}", "  epoch_ms: {value: 1}", ""].join("\n");
}

export class CliWorkspace {
  /** The folder commands run in (their cwd); everything in it is part of the snapshot. */
  readonly dir: string;
  /** Where fake trainers record that they started (outside `dir`). */
  readonly records: string;
  readonly db: string;
  /** A valid sweep file with one grid point (a valid run starts one trainer). */
  readonly sweepFile: string;
  /** A sweep file with an error in it. */
  readonly badFile: string;
  /** A folder for output files (`-o out/x.csv`). */
  readonly outDir: string;
  /** The sweep run to the end while setting up: two completed trials. */
  finishedId = "";
  /** A sweep stored with no trial claimed yet: an unchecked `resume`/`agent` on it would start trainers. */
  pendingId = "";
  private readonly root: string;
  private readonly pristine: string;
  private saved: Map<string, string> | undefined;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), "sweep-cli-contract-"));
    this.dir = join(this.root, "work");
    this.pristine = join(this.root, "pristine");
    this.records = join(this.root, "records");
    mkdirSync(this.dir);
    mkdirSync(this.records);
    this.db = join(this.dir, "storage", "sweeps.db");
    this.sweepFile = join(this.dir, "sweep.yaml");
    this.badFile = join(this.dir, "bad.yaml");
    this.outDir = join(this.dir, "out");
  }

  /** Environment for the CLI: fake nvidia-smi (4 GPUs) first on PATH, trainer records outside the workspace. */
  env(): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${fixturesDir}${delimiter}${process.env.PATH}`, FAKE_TRAINER_RECORD_DIR: this.records, NO_COLOR: "1" };
  }

  /** Runs a tiny sweep through the real CLI and stores a second one; then saves the state to restore. */
  async setUp(): Promise<void> {
    writeFileSync(this.sweepFile, gridSweep(1));
    writeFileSync(this.badFile, "method: randm\nparameters:\n  x: {valuse: [1]}\n");
    mkdirSync(this.outDir);
    const tiny = join(this.root, "tiny.yaml");
    writeFileSync(tiny, gridSweep(2));
    const r = await this.spawn(["run", tiny, "--storage", this.db, "--gpus", "none", "--parallel", "2", "--quiet"]);
    if (r.code !== 0) throw new Error(`setting up the storage failed (exit ${r.code}):\n${r.stderr}`);
    const storage = await openStorage(this.db);
    try {
      [this.finishedId] = (await storage.listSweeps()).map((s) => s.id);
      const pending = await Sweep.create(storage, parseSweepConfig(gridSweep(1)));
      this.pendingId = pending.id;
    } finally {
      await storage.close();
    }
    rmSync(this.records, { recursive: true, force: true });
    mkdirSync(this.records);
    cpSync(this.dir, this.pristine, { recursive: true });
    this.saved = this.snapshot();
  }

  /** Every file under the workspace, by relative path, with the SHA-256 of its bytes. */
  snapshot(): Map<string, string> {
    const files = new Map<string, string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else files.set(relative(this.dir, path), createHash("sha256").update(readFileSync(path)).digest("hex"));
      }
    };
    walk(this.dir);
    return files;
  }

  /** What differs from the saved state: files added, removed or changed (empty when nothing changed). */
  changes(): string[] {
    const now = this.snapshot();
    const saved = this.saved ?? new Map<string, string>();
    const diff: string[] = [];
    const EMPTY = createHash("sha256").update(Buffer.alloc(0)).digest("hex");
    for (const [path, hash] of now) {
      if (saved.get(path) === hash) continue;
      // A reader of a WAL database makes SQLite create the shared-memory index (-shm) and an empty -wal beside
      // it (docs/storage.md, read-only opens): lock files that hold no data, not a write of the storage.
      if (!saved.has(path) && (path.endsWith(".db-shm") || (path.endsWith(".db-wal") && hash === EMPTY))) continue;
      diff.push(saved.has(path) ? `changed ${path}` : `added ${path}`);
    }
    for (const path of saved.keys()) if (!now.has(path)) diff.push(`removed ${path}`);
    return diff;
  }

  /** The SHA-256 of the storage file. */
  storageHash(): string {
    return createHash("sha256").update(readFileSync(this.db)).digest("hex");
  }

  /** Files fake trainers wrote when they started. */
  trainerRecords(): string[] {
    return readdirSync(this.records);
  }

  /** Back to the state after setUp: the workspace as it was, no trainer records. */
  restore(): void {
    // The folder itself stays: it is the cwd of in-process runs.
    for (const entry of readdirSync(this.dir)) rmSync(join(this.dir, entry), { recursive: true, force: true });
    cpSync(this.pristine, this.dir, { recursive: true });
    rmSync(this.records, { recursive: true, force: true });
    mkdirSync(this.records);
  }

  /** The real CLI in a child process, in the workspace. */
  spawn(args: readonly string[]): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cliMain, ...args], { cwd: this.dir, env: this.env(), stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const capturing = new AsyncLocalStorage<{ stdout: string; stderr: string }>();
let installed = false;

/** Routes process.stdout/stderr writes made inside `capturing.run` to its buffers; everything else passes through. */
function installCapture(): void {
  if (installed) return;
  installed = true;
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
      const buffers = capturing.getStore();
      if (buffers === undefined) return (original as (...a: unknown[]) => boolean)(chunk, encoding, callback);
      buffers[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") process.nextTick(done as () => void);
      return true;
    }) as typeof stream.write;
  }
}

/**
 * The CLI's `main(argv)` in this process, with its output captured: the same code as the real command, without
 * a node start per call. The test process must have the workspace as cwd and its env (see `useInProcess`).
 */
export async function runInProcess(args: readonly string[]): Promise<CliResult> {
  installCapture();
  const buffers = { stdout: "", stderr: "" };
  const code = await capturing.run(buffers, () => main(args));
  return { code, ...buffers };
}

/** Makes this test process look like a shell in the workspace: cwd, PATH with the fake nvidia-smi, records. */
export function useInProcess(ws: CliWorkspace): void {
  process.chdir(ws.dir);
  const env = ws.env();
  process.env.PATH = env.PATH;
  process.env.FAKE_TRAINER_RECORD_DIR = env.FAKE_TRAINER_RECORD_DIR;
  process.env.NO_COLOR = "1";
}

/** A stack frame line ("    at fn (file.js:1:2)"): never shown to a user for an error they caused. */
export const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;
