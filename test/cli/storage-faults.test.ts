/**
 * Issue #14, storage part: a storage file that is read-only, truncated, damaged, another application's or of
 * a newer schema gives every command a clear error — exit 8 (4 for a missing file), the file named, what to
 * do, no stack trace — and a file that must not be written is left byte for byte as it was. Real files,
 * the real CLI, and a real sweep database made by running a tiny sweep with the fake trainer.
 *
 * Read-only media: tests run as root here, and root ignores permission bits (chmod 0444 / 0555 stop neither
 * root nor SQLite running as root). As root the read-only cases are therefore a read-only bind mount, made
 * inside a private mount namespace (`unshare -m`) that lives only as long as the one CLI process, so nothing
 * is left mounted if a test dies; a non-root user gets real chmod 0444 / 0555 instead. Where neither works
 * (no unshare, mounts forbidden) those cases are skipped with the reason.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { SCHEMA_VERSION } from "../../src/storage/index.js";
import { cliMain, fixturesDir, repoRoot } from "../helpers/paths.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-storage-faults-"));
after(() => {
  for (const entry of readdirSync(dir)) chmodTree(join(dir, entry)); // undo the non-root read-only cases
  rmSync(dir, { recursive: true, force: true });
});

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI, optionally wrapped (a read-only mount around it); killed after 60 s so a hang fails, not blocks. */
function sweepCli(args: readonly string[], wrap: (command: string[]) => string[] = (c) => c): Promise<CliResult> {
  const [command, ...rest] = wrap([process.execPath, cliMain, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(command!, rest, { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const hash = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

const sweepFile = join(dir, "tiny.yaml");
let golden = "";
let sweepId = "";

/** The commands of issue #14, for one storage file. */
function commands(db: string, out: string): Record<string, string[]> {
  return {
    ls: ["ls", "--storage", db],
    show: ["show", sweepId, "--storage", db],
    best: ["best", "--storage", db],
    export: ["export", sweepId, "--format", "csv", "--storage", db],
    report: ["report", sweepId, "-o", join(out, "report.html"), "--storage", db],
    resume: ["resume", sweepId, "--storage", db],
    run: ["run", sweepFile, "--storage", db],
  };
}
const READ_COMMANDS = ["ls", "show", "best", "export", "report"];
const ALL_COMMANDS = [...READ_COMMANDS, "resume", "run"];

/** A fresh copy of the real sweep database in its own folder (and an output folder beside it). */
function copyOfGolden(name: string): { db: string; folder: string; out: string } {
  const folder = join(dir, name);
  const out = join(dir, `${name}-out`);
  mkdirSync(folder);
  mkdirSync(out);
  const db = join(folder, "sweeps.db");
  copyFileSync(golden, db);
  return { db, folder, out };
}

/** Exit code, no stack trace, the file named, and the advice. */
function assertCleanFailure(name: string, r: CliResult, code: number, file: string, advice: RegExp): void {
  const context = `${name}: exit ${r.code}\n${r.stderr}`;
  assert.equal(r.code, code, context);
  assert.doesNotMatch(r.stderr, /^ {4}at /m, `no stack trace; ${context}`);
  assert.doesNotMatch(r.stderr, /internal error|SqliteError/, context);
  assert.ok(r.stderr.includes(file), `the message names ${file}; ${context}`);
  assert.match(r.stderr, advice, context);
}

/** Overwrite `count` whole pages in the middle of the file with a fixed garbage pattern. */
function smashMiddlePages(path: string, count: number): void {
  const bytes = readFileSync(path);
  const pageSize = bytes.readUInt16BE(16);
  const first = Math.floor(bytes.length / pageSize / 2);
  for (let i = first * pageSize; i < (first + count) * pageSize; i++) bytes[i] = (i * 151 + 7) & 0xff;
  writeFileSync(path, bytes);
}

before(async () => {
  writeFileSync(
    sweepFile,
    `program: ${join(fixturesDir, "fake-trainer.mjs")}\nmethod: grid\nmetric: {name: score, goal: maximize}\n` +
      "parameters:\n  x: {values: [0, 1, 2, 3, 4, 5, 6, 7]}\n  epochs: {value: 3}\n  epoch_ms: {value: 5}\nsweep:\n  parallel: 4\n",
  );
  golden = join(dir, "golden", "sweeps.db");
  const r = await sweepCli(["run", sweepFile, "--storage", golden]);
  assert.equal(r.code, 0, r.stderr);
  sweepId = /sweep ([a-z0-9]{8})/.exec(r.stderr)![1]!;
  assert.ok(!existsSync(`${golden}-wal`), "the sweep closed its storage cleanly");
});

/** Run `names` on `db` (a few at a time) and check each with `check`; the file's hash must not change. */
async function runAll(db: string, out: string, names: readonly string[], check: (name: string, r: CliResult) => void, wrap?: (c: string[]) => string[]) {
  const before = hash(db);
  await runEach(db, out, names, check, wrap);
  assert.equal(hash(db), before, `${db} was not changed`);
}

async function runEach(db: string, out: string, names: readonly string[], check: (name: string, r: CliResult) => void, wrap?: (c: string[]) => string[]) {
  const all = commands(db, out);
  for (let i = 0; i < names.length; i += 3) {
    const batch = names.slice(i, i + 3);
    const results = await Promise.all(batch.map((name) => sweepCli(all[name]!, wrap)));
    batch.forEach((name, j) => check(name, results[j]!));
  }
}

describe("storage faults through the CLI", { concurrency: 1 }, () => {
  test("a truncated database: exit 8 for every command, unchanged", async () => {
    const { db, out } = copyOfGolden("truncated");
    truncateSync(db, Math.floor(statSync(db).size / 2) + 1000);
    await runAll(db, out, ALL_COMMANDS, (name, r) =>
      assertCleanFailure(name, r, 8, db, /is truncated: its header counts \d+ pages .*restore it from a backup, or salvage .*\.recover/),
    );
  });

  test("a database with damaged pages: exit 8 for every command (no silent reads, no crash in resume), unchanged", async () => {
    const { db, out } = copyOfGolden("corrupt");
    smashMiddlePages(db, 3);
    await runAll(db, out, ALL_COMMANDS, (name, r) =>
      assertCleanFailure(name, r, 8, db, /is damaged(: SQLite's quick_check found| \(SQLITE_CORRUPT).*restore it from a backup, or salvage .*\.recover > dump\.sql/),
    );
  });

  test("a value damaged inside a row (quick_check cannot see it): exit 8 when it is read", async () => {
    const { db, out } = copyOfGolden("bad-value");
    const bytes = readFileSync(db);
    // Every copy: old versions of an updated row can linger in a page's free space, where nothing reads them.
    let hits = 0;
    for (let at = bytes.indexOf('{"x":3,'); at >= 0; at = bytes.indexOf('{"x":3,', at + 1)) {
      bytes.write("#", at, "latin1");
      hits++;
    }
    assert.ok(hits > 0, "trial 3's params are in the file");
    writeFileSync(db, bytes);
    const check = (name: string, r: CliResult) =>
      assertCleanFailure(name, r, 8, db, /holds a value sweep cannot read: params of trial \d+ is not valid JSON.*restore it from a backup/);
    await runAll(db, out, ["ls", "show", "export"], check);
    // A writer may record its start (an event) before it reads the damaged row: the file is not refused.
    await runEach(db, out, ["resume"], check);
  });

  test("another application's SQLite database: exit 8 for every command, not switched to WAL, unchanged", async () => {
    const { folder, out } = copyOfGolden("foreign");
    const db = join(folder, "inventory.db");
    const other = new Database(db);
    other.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('bolt'), ('nut')");
    other.pragma("user_version = 7");
    other.close();
    await runAll(db, out, ALL_COMMANDS, (name, r) => assertCleanFailure(name, r, 8, db, /not a sweep storage.*pass another path/));
    const check = new Database(db, { readonly: true });
    assert.equal(check.pragma("journal_mode", { simple: true }), "delete");
    check.close();
    assert.ok(!existsSync(`${db}-wal`) && !existsSync(`${db}-shm`), "no WAL files were created beside it");
  });

  test("a database of a newer schema version: exit 8 for every command, unchanged", async () => {
    const { db, out } = copyOfGolden("newer");
    const future = new Database(db);
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    await runAll(db, out, ALL_COMMANDS, (name, r) =>
      assertCleanFailure(name, r, 8, db, new RegExp(`has schema version ${SCHEMA_VERSION + 1}, but this version of sweep only knows up to ${SCHEMA_VERSION}; upgrade sweep`)),
    );
  });

  test("a missing database: exit 4 for the commands that need one, and nothing is created", async () => {
    const db = join(dir, "nowhere", "sweeps.db");
    const all = commands(db, dir);
    for (const name of ["ls", "show", "resume"]) {
      assertCleanFailure(name, await sweepCli(all[name]!), 4, db, /no storage at .*--storage PATH/);
    }
    assert.ok(!existsSync(join(dir, "nowhere")));
  });
});

// ---- read-only media ----

type ReadOnlyMedia = { readonly wrap: (target: string) => (command: string[]) => string[] } | { readonly skip: string };

const MOUNT_SCRIPT = 'target=$1; shift; mount --bind "$target" "$target" && mount -o remount,ro,bind "$target" && exec "$@"';

/**
 * How to make a file or folder read-only for one CLI process: as root, a read-only bind mount in a private
 * mount namespace; otherwise chmod (done by the test itself; `wrap` then changes nothing).
 */
function readOnlyMedia(): ReadOnlyMedia {
  if (process.platform !== "linux") return { skip: "read-only bind mounts are Linux-only" };
  if (process.getuid?.() !== 0) return { wrap: () => (command) => command };
  const probe = mkdtempSync(join(dir, "probe-"));
  const r = spawnSync("unshare", ["-m", "sh", "-c", MOUNT_SCRIPT, "sh", probe, "sh", "-c", `touch "${probe}/x"`], { encoding: "utf8" });
  const works = r.status !== 0 && /read-only/i.test(r.stderr ?? "") && !existsSync(join(probe, "x"));
  rmSync(probe, { recursive: true, force: true });
  if (!works) {
    return {
      skip:
        "running as root, where chmod does not stop writes, and a read-only bind mount in a private mount namespace " +
        `is not possible here (unshare -m + mount: ${(r.error?.message ?? r.stderr ?? "").trim() || `exit ${r.status}`})`,
    };
  }
  return { wrap: (target) => (command) => ["unshare", "-m", "sh", "-c", MOUNT_SCRIPT, "sh", target, ...command] };
}

function chmodTree(path: string): void {
  try {
    if (statSync(path).isDirectory()) {
      chmodSync(path, 0o755);
      for (const entry of readdirSync(path)) chmodTree(join(path, entry));
    } else {
      chmodSync(path, 0o644);
    }
  } catch {
    // already gone
  }
}

const asRoot = process.getuid?.() === 0;
const media = readOnlyMedia();

/** A crashed writer: its last change is only in the -wal (no checkpoint), and the -shm is left behind. */
function crashWhileWriting(db: string, sql: string): void {
  const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
  const script =
    `const D = require(${JSON.stringify(sqlite)}); const db = new D(${JSON.stringify(db)}); ` +
    `db.pragma("wal_autocheckpoint = 0"); db.exec(${JSON.stringify(sql)}); process.kill(process.pid, "SIGKILL");`;
  spawnSync(process.execPath, ["-e", script], { cwd: repoRoot });
  assert.ok(statSync(`${db}-wal`).size > 0 && existsSync(`${db}-shm`), "the change is in the -wal");
}

describe("storage on read-only media through the CLI", { concurrency: 1, skip: "skip" in media ? media.skip : false }, () => {
  const wrapFor = (target: string) => ("wrap" in media ? media.wrap(target) : (c: string[]) => c);
  const readOnlyAdvice = /cannot write to .*(read-only file system \(EROFS\)|is not writable \(EACCES\)).*fix the permissions or remount the file system read-write; the read-only commands \(ls, show, best, export, report\) can still read it/;

  test(`a read-only folder (${asRoot ? "read-only bind mount" : "chmod 0555"}): reads work, writers exit 8, nothing written`, async () => {
    const { db, folder, out } = copyOfGolden("ro-folder");
    if (!asRoot) chmodSync(folder, 0o555);
    const filesBefore = readdirSync(folder);
    await runAll(db, out, ALL_COMMANDS, (name, r) => {
      if (READ_COMMANDS.includes(name)) {
        assert.equal(r.code, 0, `${name}: ${r.stderr}`);
        if (name === "ls") assert.match(r.stdout, new RegExp(sweepId));
      } else {
        assertCleanFailure(name, r, 8, db, readOnlyAdvice);
      }
    }, wrapFor(folder));
    assert.deepEqual(readdirSync(folder), filesBefore, "no -wal or -shm appeared");
  });

  test(`a read-only database file (0444${asRoot ? ", simulated by a read-only bind mount of the file" : ""}): reads work, writers exit 8`, async () => {
    const { db, out } = copyOfGolden("ro-file");
    if (!asRoot) chmodSync(db, 0o444);
    await runAll(db, out, ["ls", "show", "export", "resume", "run"], (name, r) => {
      if (READ_COMMANDS.includes(name)) assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      else assertCleanFailure(name, r, 8, db, readOnlyAdvice);
    }, wrapFor(db));
  });

  test("a read-only folder holding a crashed writer's -wal and -shm: reads see the change in the -wal", async () => {
    const { db, folder, out } = copyOfGolden("ro-wal");
    crashWhileWriting(db, "UPDATE sweeps SET name = 'renamed-in-the-wal'");
    if (!asRoot) chmodSync(folder, 0o555);
    const walBefore = hash(`${db}-wal`);
    await runAll(db, out, ["ls"], (name, r) => {
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, /renamed-in-the-wal/);
    }, wrapFor(folder));
    assert.equal(hash(`${db}-wal`), walBefore);
  });

  test("a read-only folder holding a -wal without its -shm: exit 8, saying how to read it", async () => {
    const { db, folder, out } = copyOfGolden("ro-wal-no-shm");
    crashWhileWriting(db, "UPDATE sweeps SET name = 'renamed-in-the-wal'");
    rmSync(`${db}-shm`);
    if (!asRoot) chmodSync(folder, 0o555);
    await runAll(db, out, ["show"], (name, r) =>
      assertCleanFailure(name, r, 8, db, /is in WAL mode and .*-wal holds \d+ bytes of changes .*Copy the database together with its -wal file to a writable folder/),
    wrapFor(folder));
  });
});
