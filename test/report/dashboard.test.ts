/**
 * `sweep dashboard` as a real process on a real SQLite file: the JSON API, the read-only promise, the token
 * when bound beyond this machine, and, in headless Chromium, a live page whose counts, GPU slots and curves
 * follow a sweep that reports while the page is open, without a reload.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openStorage } from "../../src/storage/index.js";
import type { Storage } from "../../src/storage/types.js";
import { createSweep, type Sweep } from "../../src/study/index.js";
import { cliMain } from "../helpers/paths.js";
import { launchChromium, NO_CHROMIUM, openPage, screenshotViews, type OpenedBrowser } from "./browser.js";
import { createLayoutSweep, LONG_MODELS } from "./explorer-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-dashboard-"));
const db = join(dir, "sweeps.db");

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

/** Starts `sweep dashboard` and waits for the URL it prints (the port is chosen by the system). */
async function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [cliMain, "dashboard", "--port", "0", "--storage", db, ...args], {
    env: { ...process.env, SWEEP_DASHBOARD_POLL_MS: "100", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /sweep dashboard: (http:\/\/[^/\s]+)/.exec(out);
    if (m) return { child, url: m[1]!, output: () => out };
    if (child.exitCode !== null) throw new Error(`dashboard exited ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) throw new Error(`no URL printed: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(served: Served): Promise<number | null> {
  if (served.child.exitCode !== null) return served.child.exitCode;
  const exited = new Promise<number | null>((resolve) => served.child.once("exit", (code) => resolve(code)));
  served.child.kill("SIGTERM");
  return exited;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A plain HTTP request (node's fetch may not set Host). */
function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function storageHash(): string {
  const hash = createHash("sha256");
  for (const suffix of ["", "-wal"]) if (existsSync(db + suffix)) hash.update(readFileSync(db + suffix));
  return hash.digest("hex");
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("sweep dashboard", () => {
  let storage: Storage;
  let finished = "";
  let live: Sweep;
  let served: Served;
  let browser: OpenedBrowser | null = null;

  before(async () => {
    storage = await openStorage(db);
    finished = (await createLayoutSweep(storage, { trials: 12, running: 0 })).id;
    await storage.setSweepStatus(finished, "finished");
    live = await createSweep({
      storage,
      config: {
        name: "live: 실시간",
        method: "random",
        metric: { name: "val_pearson", goal: "maximize" },
        parameters: { model_name: { values: LONG_MODELS }, learning_rate: { distribution: "log_uniform_values", min: 1e-5, max: 1e-4 } },
        sweep: { seed: 3 },
      },
    });
    const first = (await live.ask({ worker: "test" }))!;
    await storage.updateTrial(first.id, { gpus: "0" });
    for (let epoch = 1; epoch <= 3; epoch++) await live.report(first, epoch, { val_pearson: 0.5 + epoch / 10 });
    await live.tell(first, { state: "completed" });
    served = await serve([]);
  });
  after(async () => {
    await browser?.close();
    if (served) await stop(served);
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the JSON API: sweeps, one sweep, its trials; errors as JSON; and nothing written to the storage", async () => {
    const before = storageHash();
    const list = await get(`${served.url}/api/sweeps`);
    assert.equal(list.status, 200);
    assert.match(String(list.headers["content-type"]), /application\/json/);
    const sweeps = (JSON.parse(list.body) as { sweeps: { id: string; url: string; trials: number }[] }).sweeps;
    assert.deepEqual(sweeps.map((s) => s.id).sort(), [finished, live.id].sort());
    assert.equal(sweeps.find((s) => s.id === finished)!.url, `/sweeps/${finished}`);

    const one = JSON.parse((await get(`${served.url}/api/sweeps/${finished}`)).body) as { sweep: { id: string }; axes: { name: string }[]; modelKey: string; importance: unknown; counts: Record<string, number> };
    assert.equal(one.sweep.id, finished);
    assert.equal(one.modelKey, "model_name");
    assert.ok(one.axes.some((a) => a.name === "learning_rate"));
    assert.ok(one.importance);

    const trials = JSON.parse((await get(`${served.url}/api/sweeps/${finished}/trials`)).body) as { trials: { number: number; status: string; curves?: Record<string, [number, number][]> }[] };
    assert.equal(trials.trials.length, 12);
    assert.deepEqual(trials.trials[0]!.curves!.val_pearson!.map((p) => p[0]), [1, 2, 3, 4, 5]);
    const lean = JSON.parse((await get(`${served.url}/api/sweeps/${finished}/trials?curves=false&status=completed,pruned`)).body) as { trials: { status: string; curves?: unknown }[] };
    assert.ok(lean.trials.length > 0 && lean.trials.every((t) => t.curves === undefined && ["completed", "pruned"].includes(t.status)));

    const missing = await get(`${served.url}/api/sweeps/nosuchid`);
    assert.equal(missing.status, 404);
    assert.match(JSON.parse(missing.body).error, /no sweep 'nosuchid'/);
    assert.equal((await get(`${served.url}/api/sweeps/${finished}/trials?status=done`)).status, 400);
    assert.equal((await get(`${served.url}/api/sweeps`, {}, "POST")).status, 405);
    // A page elsewhere that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
    assert.equal((await get(`${served.url}/api/sweeps`, { Host: "evil.example:80" })).status, 403);
    assert.equal(storageHash(), before, "the dashboard wrote nothing");
  });

  test("bound beyond this machine, every request needs the printed token", async () => {
    const open = await serve(["--host", "0.0.0.0"]);
    try {
      const printed = /\?token=([A-Za-z0-9_-]+)/.exec(open.output());
      assert.ok(printed, open.output());
      const token = printed[1]!;
      const base = open.url.replace("0.0.0.0", "127.0.0.1");
      assert.equal((await get(`${base}/api/sweeps`)).status, 401);
      assert.equal((await get(`${base}/api/sweeps?token=wrong`)).status, 401);
      assert.equal((await get(`${base}/api/sweeps`, { Authorization: `Bearer ${token}` })).status, 200);
      const redirect = await get(`${base}/sweeps/${finished}?token=${token}`);
      assert.equal(redirect.status, 303);
      assert.equal(redirect.headers.location, `/sweeps/${finished}`, "the token leaves the address bar");
      const cookie = String(redirect.headers["set-cookie"]).split(";")[0]!;
      assert.match(String(redirect.headers["set-cookie"]), /HttpOnly; SameSite=Strict/);
      assert.equal((await get(`${base}/sweeps/${finished}`, { Cookie: cookie })).status, 200);
    } finally {
      assert.equal(await stop(open), 0, "SIGTERM ends it with exit 0");
    }
  });

  test("the home page links every sweep; a live page follows a running sweep without a reload", { skip: NO_CHROMIUM }, async () => {
    browser = await launchChromium();
    const home = await openPageAt(browser, `${served.url}/`, "#sweeps");
    assert.deepEqual((await home.page.$$eval("#sweeps a", (a) => a.map((x) => x.getAttribute("href")))).sort(), [`/sweeps/${finished}`, `/sweeps/${live.id}`].sort());
    await home.page.click(`#sweeps a[href="/sweeps/${live.id}"]`);
    await home.page.waitForSelector("#trials table");
    const page = home.page;
    await page.evaluate("window.__loadedOnce = true");
    await page.waitForSelector("#live.live");
    const chip = (status: string) => page.$eval(`#counts .chip[data-status="${status}"]`, (c) => c.textContent ?? "").catch(() => "");
    assert.match(await chip("completed"), /^1 completed/);

    // A trial starts on GPU 1 and reports, epoch by epoch: its slot appears and its curve grows.
    const trial = (await live.ask({ worker: "test" }))!;
    await storage.updateTrial(trial.id, { gpus: "1" });
    await live.report(trial, 1, { val_pearson: 0.55 });
    await waitFor("the running trial's slot", () => page.$(`#slots .slot[data-trial="${trial.number}"]`));
    await waitFor("the running chip", async () => /^1 running/.test(await chip("running")));
    const points = () => page.$eval(`#curves g.curve-group[data-trial="${trial.number}"]`, (g) => Number(g.getAttribute("data-points"))).catch(() => 0);
    await waitFor("1 point", async () => (await points()) === 1);
    await live.report(trial, 2, { val_pearson: 0.65 });
    await waitFor("2 points", async () => (await points()) === 2);
    await screenshotViews(page, dir, "dashboard-running", ["slots", "curves", "timeline", "models"]);
    await live.report(trial, 3, { val_pearson: 0.9 });
    await live.tell(trial, { state: "completed" });
    await waitFor("2 completed", async () => /^2 completed/.test(await chip("completed")));
    await waitFor("the best so far per model", async () => (await page.$eval("#models-table", (t) => t.textContent ?? "")).includes("0.9"));
    assert.equal(await page.evaluate("window.__loadedOnce"), true, "the page was never reloaded");
    await screenshotViews(page, dir, "dashboard");
    assert.deepEqual(home.problems, []);
  });
});

/** A page of the dashboard that may not be the sweep view (the home page has no trials table). */
async function openPageAt(browser: OpenedBrowser, url: string, selector: string) {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector(selector);
  return { page, problems };
}

void openPage;
