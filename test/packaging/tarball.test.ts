/**
 * The package as a user gets it (docs/packaging.md): pack it with `npm pack`, install the tarball into a fresh
 * project, type-check the README's library example there under the strict `tsc --init` settings with
 * `skipLibCheck: false` (so our own declaration files are checked too), run the example for real, and run the
 * installed `sweep` command on what it stored.
 *
 * Slow (about a minute when npm's cache holds the dependencies): npm installs from its cache where it can
 * (`--prefer-offline`) and the registry otherwise; the test is skipped with a message when the registry is
 * needed and cannot be reached. better-sqlite3 is installed at the version this checkout uses, without its
 * install script, and given this checkout's compiled binary (the same Node runs both), instead of compiling it
 * again for two minutes; compiling it is better-sqlite3's business, not this package's.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test, type TestContext } from "node:test";
import { buildRoot, repoRoot } from "../helpers/paths.js";

const PACKAGE_NAME = "sweep-hp";
/** npm install on a loaded machine with a cold cache can take minutes; nothing here waits on a clock otherwise. */
const COMMAND_TIMEOUT_MS = 8 * 60_000;
const NETWORK_ERROR = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED)\b/;

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command without a shell; resolves with its output whatever the exit code. */
function run(command: string, args: readonly string[], cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: COMMAND_TIMEOUT_MS,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function describe(what: string, result: Result): string {
  return `${what} exited with ${result.code}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

/** The first ```ts block after "As a library:" in README.md: the example users copy. */
export function readmeLibraryExample(readme: string): string {
  const start = readme.indexOf("As a library:");
  assert.ok(start >= 0, 'README.md has no "As a library:" section');
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(match, 'README.md has no ```ts block after "As a library:"');
  return match[1]!;
}

/** A copy of the package as `npm pack` would see it in a checkout, with this build's compiled tree. */
function stagePackage(dir: string): void {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { files: string[] };
  cpSync(join(repoRoot, "package.json"), join(dir, "package.json"));
  for (const entry of [...manifest.files, "LICENSE"]) {
    if (entry === "dist/src") cpSync(join(buildRoot, "src"), join(dir, "dist", "src"), { recursive: true });
    else if (existsSync(join(repoRoot, entry))) cpSync(join(repoRoot, entry), join(dir, entry), { recursive: true });
  }
  // Things that must stay out of the tarball although they sit beside what goes in.
  mkdirSync(join(dir, "storage"));
  writeFileSync(join(dir, "storage", "sweeps.db"), "");
  mkdirSync(join(dir, "test"));
  writeFileSync(join(dir, "test", "x.test.js"), "");
}

function versionOf(name: string): string {
  const require = createRequire(join(repoRoot, "package.json"));
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
}

/** `npm install` that skips the test (rather than failing it) when it needed a registry it could not reach. */
async function npmInstall(t: TestContext, cwd: string, args: readonly string[]): Promise<boolean> {
  const result = await run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", ...args], cwd);
  if (result.code !== 0 && NETWORK_ERROR.test(result.stderr)) {
    t.skip(`npm could not reach the registry for ${args.join(" ")}: ${NETWORK_ERROR.exec(result.stderr)![1]}`);
    return false;
  }
  assert.equal(result.code, 0, describe("npm install", result));
  return true;
}

/** Give the installed better-sqlite3 this checkout's compiled binary (same version, same Node). */
function reuseSqliteBinary(app: string): void {
  const require = createRequire(join(repoRoot, "package.json"));
  const ours = join(dirname(require.resolve("better-sqlite3/package.json")), "build", "Release", "better_sqlite3.node");
  assert.ok(existsSync(ours), `no compiled better-sqlite3 at ${ours}`);
  const theirs = join(app, "node_modules", "better-sqlite3", "build", "Release");
  mkdirSync(theirs, { recursive: true });
  cpSync(ours, join(theirs, "better_sqlite3.node"));
}

test("the packed tarball installs into a fresh strict TypeScript project, and the README example type-checks and runs", { timeout: 20 * 60_000 }, async (t) => {
  const started = Date.now();
  const mark = (what: string) => t.diagnostic(`${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const root = mkdtempSync(join(tmpdir(), "sweep-pack-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));

  // Pack.
  const stage = join(root, "stage");
  mkdirSync(stage);
  stagePackage(stage);
  const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", root], stage);
  assert.equal(packed.code, 0, describe("npm pack", packed));
  const [pack] = JSON.parse(packed.stdout) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
  assert.equal(pack!.name, PACKAGE_NAME);
  const files = pack!.files.map((f) => f.path);
  for (const needed of ["package.json", "README.md", "LICENSE", "bin/sweep.js", "dist/src/index.js", "dist/src/index.d.ts", "clients/python/sweep_client.py", "schema/sweep.schema.json"]) {
    assert.ok(files.includes(needed), `the tarball holds ${needed}`);
  }
  const stray = files.filter((f) => /^(test|storage|dist\/test|examples|bench)\//.test(f) || /\.(db|db-wal|db-shm|tgz)$/.test(f));
  assert.deepEqual(stray, [], "no tests, storage files or examples in the tarball");
  const tarball = join(root, pack!.filename);
  mark("packed");

  // Install into a fresh project.
  const app = join(root, "app");
  mkdirSync(app);
  const init = await run("npm", ["init", "-y"], app);
  assert.equal(init.code, 0, describe("npm init", init));
  const setType = await run("npm", ["pkg", "set", "type=module"], app);
  assert.equal(setType.code, 0, describe("npm pkg set", setType));
  const deps = [tarball, `typescript@${versionOf("typescript")}`, `@types/node@${versionOf("@types/node")}`, `better-sqlite3@${versionOf("better-sqlite3")}`];
  if (!(await npmInstall(t, app, deps))) return;
  reuseSqliteBinary(app);
  mark("installed");

  // The README's example, with a stand-in for the user's training function.
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const example = readmeLibraryExample(readme);
  assert.match(example, new RegExp(`from "${PACKAGE_NAME}"`), "the README imports the package by its npm name");
  writeFileSync(
    join(app, "example.ts"),
    `${example}
// Stand-in for the user's trainer: typed from the config (lr a number, batch_size one of the listed values).
async function train(config: { readonly lr: number; readonly batch_size: 16 | 32 }): Promise<number> {
  return 1 - Math.abs(Math.log10(config.lr) + 5) / 10 - config.batch_size / 1000;
}
`,
  );

  // Strict type check with the defaults of `tsc --init`, our declaration files included.
  const tsc = join(app, "node_modules", "typescript", "bin", "tsc");
  const tscInit = await run(process.execPath, [tsc, "--init"], app);
  assert.equal(tscInit.code, 0, describe("tsc --init", tscInit));
  const tsconfigPath = join(app, "tsconfig.json");
  const tsconfig = readFileSync(tsconfigPath, "utf8");
  assert.match(tsconfig, /"strict": true/);
  assert.match(tsconfig, /"module": "nodenext"/);
  assert.match(tsconfig, /"skipLibCheck": true/);
  writeFileSync(tsconfigPath, tsconfig.replace(/"skipLibCheck": true/, '"skipLibCheck": false'));
  const check = await run(process.execPath, [tsc, "--noEmit"], app);
  assert.equal(check.code, 0, describe("tsc --noEmit (tsc --init settings, skipLibCheck false)", check));
  mark("type-checked");

  // The same with Node's types loaded, then compile and run it for real.
  const build = await run(process.execPath, [tsc, "--types", "node", "--outDir", "out", "--declaration", "false", "--declarationMap", "false"], app);
  assert.equal(build.code, 0, describe("tsc (with @types/node)", build));
  const ran = await run(process.execPath, [join(app, "out", "example.js")], app);
  assert.equal(ran.code, 0, describe("node out/example.js", ran));
  assert.match(ran.stdout, /status: 'completed'/, "the example prints the best trial");
  assert.match(ran.stdout, /batch_size: (16|32)/);
  assert.ok(existsSync(join(app, "storage", "sweeps.db")), "the example stored its sweep in storage/sweeps.db");
  mark("example ran");

  // The installed command reads what the library stored.
  const ls = await run(process.execPath, [join(app, "node_modules", ".bin", "sweep"), "ls", "--format", "json"], app);
  assert.equal(ls.code, 0, describe("sweep ls", ls));
  const listed = JSON.parse(ls.stdout) as unknown[];
  assert.equal(listed.length, 1, `one sweep listed: ${ls.stdout}`);
});
