/**
 * A real, throw-away PostgreSQL server for tests: Debian's `postgresql` package binaries, a data folder in a
 * temp dir, a free port on 127.0.0.1 only (the unix socket stays in the temp dir too), durability switched
 * off for speed. One server per test file; `stop()` shuts it down and deletes the folder.
 *
 * initdb refuses to run as root, and CI runs as root: then initdb, pg_ctl and the server run as the
 * `postgres` system user (which the package creates) through `runuser`, owning the temp dir.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { ephemeralPort } from "../../src/runner/ports.js";

/** Why PostgreSQL tests are skipped, when they are. */
export const POSTGRES_MISSING = "PostgreSQL is not installed: apt-get install postgresql";

/** The database freshSchema() makes its schemas in (the CREATE SCHEMA runs on a connection to it). */
const TEST_DATABASE = "sweep_test";

/** Where Debian puts the server binaries: /usr/lib/postgresql/<major>/bin. Newest major wins. */
const DEBIAN_ROOT = "/usr/lib/postgresql";

/** The folder holding initdb and pg_ctl, or null when PostgreSQL is not installed. */
export function findPostgresBinDir(): string | null {
  const override = process.env.SWEEP_TEST_PG_BINDIR; // for machines that keep them elsewhere
  const candidates = override !== undefined ? [override] : debianBinDirs();
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) ?? null;
}

function debianBinDirs(): string[] {
  if (!existsSync(DEBIAN_ROOT)) return [];
  return readdirSync(DEBIAN_ROOT)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => join(DEBIAN_ROOT, major, "bin"));
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** Root must hand the server to the `postgres` user; anyone else runs it as themselves. */
function serverUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  if (line === undefined) {
    throw new Error("running as root, but there is no 'postgres' user to run the PostgreSQL server as");
  }
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function commandFor(runAs: RunAs | null, binary: string, args: readonly string[]): [string, string[]] {
  return runAs === null ? [binary, [...args]] : ["runuser", ["-u", "postgres", "--", binary, ...args]];
}

function exec(command: [string, string[]], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command[0], command[1], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err === null) resolve();
      else reject(new Error(`${command[0]} ${command[1].join(" ")} failed: ${err.message}\n${stdout}${stderr}`));
    });
  });
}


export interface PgServer {
  readonly port: number;
  /** URL of `database` as the superuser `postgres` (no password: the test cluster trusts local TCP). */
  url(database?: string): string;
  /**
   * A URL whose connections work in a new, empty schema of the shared test database (through the
   * `search_path` startup option, as a user can set it). A schema costs about a millisecond where a whole
   * database costs a few hundred on a loaded machine, so every test gets its own.
   */
  freshSchema(): Promise<string>;
  /** Stop the server at once (nothing in it is worth a clean shutdown) and delete its folder. */
  stop(): Promise<void>;
}

/** Start a server, or return null when PostgreSQL is not installed (callers skip with POSTGRES_MISSING). */
export async function startPgServer(): Promise<PgServer | null> {
  const binDir = findPostgresBinDir();
  if (binDir === null) return null;
  const runAs = serverUser();
  const dir = mkdtempSync(join(tmpdir(), "sweep-pg-"));
  if (runAs !== null) chownSync(dir, runAs.uid, runAs.gid);
  const dataDir = join(dir, "data");
  const pgCtl = join(binDir, "pg_ctl");
  const stopCommand = commandFor(runAs, pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
  let watchdog: ReturnType<typeof spawn> | null = null;
  const onExit = () => {
    watchdog?.kill();
    spawnSync(stopCommand[0], stopCommand[1], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await exec(
      commandFor(runAs, join(binDir, "initdb"), ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]),
      60_000,
    );
    // If the test process ends without calling stop(), do not leave a server running behind it: on a normal
    // exit the handler stops it; if the process is killed outright, a detached watchdog notices and does.
    process.once("exit", onExit);
    watchdog = startWatchdog(stopCommand, dir);
    const port = await startOnFreePort(runAs, pgCtl, dataDir, dir);
    const url = (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`;
    let admin: pg.Client | null = null;
    let schemas = 0;
    return {
      port,
      url,
      async freshSchema() {
        if (admin === null) {
          const bootstrap = new pg.Client({ connectionString: url() });
          await bootstrap.connect();
          await bootstrap.query(`CREATE DATABASE ${TEST_DATABASE}`).finally(() => bootstrap.end());
          admin = new pg.Client({ connectionString: url(TEST_DATABASE) });
          await admin.connect();
        }
        const schema = `test_${++schemas}`;
        await admin.query(`CREATE SCHEMA ${schema}`);
        return `${url(TEST_DATABASE)}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      },
      async stop() {
        await (admin as pg.Client | null)?.end().catch(() => undefined);
        process.removeListener("exit", onExit);
        onExit();
      },
    };
  } catch (err) {
    process.removeListener("exit", onExit);
    onExit();
    throw err;
  }
}

/** A shell that waits for this process to go away, then stops the server and deletes its folder. */
function startWatchdog(stopCommand: [string, string[]], dir: string): ReturnType<typeof spawn> {
  const script = 'parent=$1; dir=$2; shift 2; while kill -0 "$parent" 2>/dev/null; do sleep 1; done; "$@"; rm -rf "$dir"';
  const child = spawn("sh", ["-c", script, "sh", String(process.pid), dir, stopCommand[0], ...stopCommand[1]], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  return child;
}

async function startOnFreePort(runAs: RunAs | null, pgCtl: string, dataDir: string, dir: string): Promise<number> {
  let lastError: unknown;
  for (let tries = 0; tries < 3; tries++) {
    const port = await ephemeralPort();
    const serverOptions = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ");
    try {
      await exec(
        commandFor(runAs, pgCtl, ["-D", dataDir, "-l", join(dir, "server.log"), "-w", "-t", "30", "-o", serverOptions, "start"]),
        40_000,
      );
      return port;
    } catch (err) {
      lastError = err; // most likely another process took the port between the probe and the start
    }
  }
  const log = existsSync(join(dir, "server.log")) ? readFileSync(join(dir, "server.log"), "utf8") : "";
  throw new Error(`PostgreSQL did not start: ${(lastError as Error).message}\nserver log:\n${log}`);
}
