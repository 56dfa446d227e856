/**
 * Headless Chromium for the report and dashboard tests: Debian's `chromium` driven by playwright-core
 * (which downloads nothing), a fresh profile per launch, every console error and page error collected.
 * Tests skip with a message naming the package when the browser is missing.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
export const NO_CHROMIUM = CHROMIUM ? false : "chromium is not installed (apt-get install chromium)";

export interface OpenedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<OpenedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "sweep-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM!,
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page that records console errors, uncaught exceptions and dialogs (an injected alert would show there). */
export async function openPage(browser: OpenedBrowser, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  await page.waitForSelector("#trials table, #trials .note", { timeout: 60_000 });
  return { page, problems };
}

export const VIEWS = ["models", "history", "importance", "parallel", "slices", "contour", "curves", "timeline", "trials"] as const;

/**
 * A PNG of each view (and of the header) into `dir`; also into $SWEEP_SCREENSHOTS_DIR/<set> when that is set
 * (how docs/img/dashboard/ was made).
 */
export async function screenshotViews(page: Page, dir: string, set: string, views: readonly string[] = VIEWS): Promise<string[]> {
  const dirs = [join(dir, set), ...(process.env.SWEEP_SCREENSHOTS_DIR ? [join(process.env.SWEEP_SCREENSHOTS_DIR, set)] : [])];
  for (const d of dirs) mkdirSync(d, { recursive: true });
  const written: string[] = [];
  for (const id of ["header", ...views]) {
    const el = await page.$(id === "header" ? "header" : `section#${id}`);
    if (!el) continue;
    for (const d of dirs) {
      const file = join(d, `${id}.png`);
      await el.screenshot({ path: file });
      written.push(file);
    }
  }
  return written;
}

/** Drag along a parallel-coordinates axis from `from` to `to` (fractions of its height from the top). */
export async function brushAxis(page: Page, axis: string, from: number, to: number): Promise<void> {
  const hit = await page.$(`#parallel rect.brush-hit[data-axis="${axis}"]`);
  if (!hit) throw new Error(`no parallel-coordinates axis '${axis}'`);
  await hit.scrollIntoViewIfNeeded();
  const box = (await hit.boundingBox())!;
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + box.height * from);
  await page.mouse.down();
  await page.mouse.move(x, box.y + box.height * ((from + to) / 2), { steps: 3 });
  await page.mouse.move(x, box.y + box.height * to, { steps: 3 });
  await page.mouse.up();
}

/** The trials table's column `header` as text, top to bottom. */
export async function tableColumn(page: Page, key: string): Promise<string[]> {
  // Runs in the page (no DOM types in this project's compiler settings: the elements are read loosely).
  return page.evaluate((name) => {
    type Cell = { getAttribute(n: string): string | null; textContent: string | null };
    type Row = { cells: ArrayLike<Cell> };
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { tHead: { rows: ArrayLike<Row> }; tBodies: ArrayLike<{ rows: ArrayLike<Row> }> } } }).document;
    const table = doc.querySelector("#trials-table");
    const index = Array.from(table.tHead.rows[0]!.cells).findIndex((c) => c.getAttribute("data-key") === name);
    return Array.from(table.tBodies[0]!.rows).map((r) => r.cells[index]!.getAttribute("title") ?? r.cells[index]!.textContent ?? "");
  }, key);
}
