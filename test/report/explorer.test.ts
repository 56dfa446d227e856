/**
 * `sweep report`'s file in headless Chromium: every view drawn with no console error, long Hugging Face
 * names and Korean text laid out readably, brushing the parallel coordinates filters the trials table,
 * sorting and filtering work, and importance shows what it can with few trials. Screenshots of each view are
 * written under the test's temporary folder (and to $SWEEP_SCREENSHOTS_DIR when set).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { openStorage } from "../../src/storage/index.js";
import { createSweep } from "../../src/study/index.js";
import { brushAxis, launchChromium, NO_CHROMIUM, openPage, screenshotViews, tableColumn, VIEWS, type OpenedBrowser } from "./browser.js";
import { sweepCli } from "./cli.js";
import { CJK_NAME, createLayoutSweep, LONG_MODELS } from "./explorer-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-explorer-"));
const db = join(dir, "sweeps.db");
const ids: Record<"layout" | "few" | "two" | "hostile", string> = { layout: "", few: "", two: "", hostile: "" };
const HOSTILE = `<img src=x onerror=alert(1)><script>alert("x")</script>&'"`;
let browser: OpenedBrowser | null = null;

const written = new Set<string>();

/** The report of sweep `id`, written once by the real CLI, opened in a new page. */
async function reportPage(id: string): Promise<{ page: Page; problems: string[] }> {
  const file = join(dir, `report-${id}.html`);
  if (!written.has(file)) {
    const r = await sweepCli(["report", id, "--storage", db, "-o", file]);
    assert.equal(r.code, 0, r.stderr);
    written.add(file);
  }
  return openPage(browser!, pathToFileURL(file).href);
}

describe("sweep report in Chromium", { skip: NO_CHROMIUM }, () => {
  before(async () => {
    const storage = await openStorage(db);
    ids.layout = (await createLayoutSweep(storage, { trials: 24, running: 1 })).id;
    ids.few = (await createLayoutSweep(storage, { trials: 5, running: 0 })).id;
    ids.two = (await createLayoutSweep(storage, { trials: 2, running: 0 })).id;
    const hostile = await createSweep({
      storage,
      config: { name: HOSTILE, method: "grid", metric: { name: `m${HOSTILE}`, goal: "maximize" }, parameters: { optimizer: { values: [HOSTILE, "adamw"] }, lr: { values: [1e-5, 3e-5] } } },
    });
    ids.hostile = hostile.id;
    for (let t = await hostile.ask(); t; t = await hostile.ask()) {
      await hostile.report(t, 1, { [`m${HOSTILE}`]: 0.5 });
      if (t.number === 0) await hostile.tell(t, { state: "pruned", pruneStep: 1, pruneReason: HOSTILE });
      else await hostile.tell(t, 0.5 + t.number / 10);
    }
    await storage.close();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("every view is drawn with no console error, and a screenshot of each is written", async () => {
    const { page, problems } = await reportPage(ids.layout);
    for (const id of VIEWS) {
      const size = await page.$eval(`section#${id}`, (s) => {
        const b = s.getBoundingClientRect();
        return { width: b.width, height: b.height, charts: s.querySelectorAll("svg.chart").length, tables: s.querySelectorAll("table").length };
      });
      assert.ok(size.width > 300 && size.height > 80, `${id} has a size: ${JSON.stringify(size)}`);
      assert.ok(size.charts + size.tables > 0, `${id} draws something: ${JSON.stringify(size)}`);
    }
    const written = await screenshotViews(page, dir, "report");
    assert.ok(written.length >= VIEWS.length);
    for (const file of written) assert.ok(statSync(file).size > 1000, `${file} is an image`);
    assert.deepEqual(problems, []);
  });

  test("long Hugging Face names stay apart (full name on hover) and Korean text fits", async () => {
    const { page, problems } = await reportPage(ids.layout);
    const title = await page.$eval("header h1", (h) => h.getAttribute("title"));
    assert.equal(title, CJK_NAME);
    const labels = await page.$$eval('#parallel text[data-axis-label="model_name"]', (texts) =>
      texts.map((t) => {
        const b = t.getBoundingClientRect();
        const svg = t.closest("svg")!.getBoundingClientRect();
        return { shown: t.childNodes[0]!.textContent ?? "", full: t.querySelector("title")?.textContent ?? t.textContent ?? "", left: b.left - svg.left, right: b.right, top: b.top, bottom: b.bottom };
      }),
    );
    assert.deepEqual(labels.map((l) => l.full).sort(), [...LONG_MODELS].sort());
    assert.equal(new Set(labels.map((l) => l.shown)).size, 3, `distinct labels: ${labels.map((l) => l.shown).join(" | ")}`);
    for (const l of labels) assert.ok(l.left >= 0, `'${l.shown}' starts inside the chart`);
    // No two tick labels of one axis overlap, on any axis.
    const overlaps = await page.$$eval("#parallel g.pc-axis", (axes) =>
      axes.flatMap((g) => {
        const boxes = [...g.querySelectorAll("text.tick")].map((t) => t.getBoundingClientRect());
        return boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => a.top < b.bottom - 1 && b.top < a.bottom - 1 && a.left < b.right && b.left < a.right).map(() => i));
      }),
    );
    assert.deepEqual(overlaps, []);
    // The Korean category fits whole, and the learning-curve legend lies under the plot, not on it.
    const ticks = await page.$$eval('#parallel text[data-axis-label="optimizer"]', (t) => t.map((x) => x.childNodes[0]!.textContent));
    assert.ok(ticks.includes("아담 (가중치 감쇠)"), ticks.join(" | "));
    const [plotBottom, legendTop] = await page.$eval("#curves", (s) => [s.querySelector("svg.chart")!.getBoundingClientRect().bottom, s.querySelector(".legend-row")!.getBoundingClientRect().top]);
    assert.ok(legendTop! >= plotBottom! - 1, `legend at ${legendTop}, plot ends at ${plotBottom}`);
    // Whole-number epochs get whole-number ticks.
    const steps = await page.$$eval("#curves svg.chart text.tick[text-anchor=middle]", (t) => t.map((x) => x.textContent ?? ""));
    assert.ok(steps.length >= 2 && steps.every((s) => /^\d+$/.test(s)), steps.join(" | "));
    assert.deepEqual(problems, []);
  });

  test("brushing an axis filters the trials table; clearing it brings every trial back", async () => {
    const { page, problems } = await reportPage(ids.layout);
    const all = await tableColumn(page, "#");
    assert.equal(all.length, 25);
    await brushAxis(page, "learning_rate", 0.02, 0.5);
    await page.waitForSelector("#clear-brushes");
    const kept = await tableColumn(page, "#");
    assert.ok(kept.length > 0 && kept.length < all.length, `${kept.length} of ${all.length} kept`);
    // The table shows exactly the lines left bright, and the brushed range is the top (largest) learning rates.
    const bright = await page.$$eval("#parallel polyline.pc-line:not(.dim)", (l) => l.map((x) => x.getAttribute("data-trial")!));
    assert.deepEqual([...bright].sort(), [...kept].sort());
    const view = JSON.parse(await page.$eval("#sweep-view", (s) => s.textContent!)) as { trials: { number: number; params: { learning_rate: number } }[] };
    const lr = (n: string) => view.trials.find((t) => String(t.number) === n)!.params.learning_rate;
    const hidden = all.filter((n) => !kept.includes(n));
    assert.ok(Math.max(...hidden.map(lr)) < Math.min(...kept.map(lr)), "every kept trial has a larger lr than every hidden one");
    // A second brush, on the objective, narrows further.
    await brushAxis(page, "value", 0.02, 0.6);
    await page.waitForFunction(`document.querySelectorAll("#trials-table tbody tr").length < ${kept.length}`);
    await page.click("#clear-brushes");
    await page.waitForFunction(`document.querySelectorAll("#trials-table tbody tr").length === ${all.length}`);
    assert.deepEqual(problems, []);
  });

  test("sorting by a column, both ways, and filtering by text", async () => {
    const { page, problems } = await reportPage(ids.layout);
    await page.click('#trials-table th[data-key="value"]');
    const up = (await tableColumn(page, "value")).filter((v) => v !== "").map(Number);
    assert.deepEqual(up, [...up].sort((a, b) => a - b));
    await page.click('#trials-table th[data-key="value"]');
    const down = (await tableColumn(page, "value")).filter((v) => v !== "").map(Number);
    assert.deepEqual(down, [...up].sort((a, b) => b - a));
    assert.equal((await tableColumn(page, "value")).at(-1), "", "trials without a value come last either way");
    await page.click('#trials-table th[data-key="param:model_name"]');
    const names = await tableColumn(page, "param:model_name");
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
    await page.fill("#trial-filter", "klue/");
    await page.waitForFunction(`document.querySelectorAll("#trials-table tbody tr").length < 25`);
    const filtered = await tableColumn(page, "param:model_name");
    assert.ok(filtered.length > 0 && filtered.every((n) => n === "klue/roberta-base"), filtered.join(" | "));
    assert.deepEqual(problems, []);
  });

  test("the history's log-scale toggle redraws on a log axis", async () => {
    const { page, problems } = await reportPage(ids.layout);
    await page.click("#history-log");
    await page.waitForFunction(`document.querySelector("#history svg.chart")?.textContent?.includes("(log)")`);
    assert.deepEqual(problems, []);
  });

  test("importance with few trials: a labelled first hint, or the reason there is none", async () => {
    const few = await reportPage(ids.few);
    const text = await few.page.$eval("#importance", (s) => s.textContent ?? "");
    assert.match(text, /Preliminary/);
    assert.match(text, /PED-ANOVA needs at least 8 completed trials, has \d/);
    assert.ok((await few.page.$$("#importance rect.bar")).length > 0, "bars are drawn");
    assert.match(text, /(larger|smaller) did better|no clear direction|best: /);
    await screenshotViews(few.page, dir, "report-few-trials", ["importance"]);
    const two = await reportPage(ids.two);
    assert.match(await two.page.$eval("#importance", (s) => s.textContent ?? ""), /needs at least 8 completed trials \(3 for a first hint\), has 2/);
    assert.deepEqual([...few.problems, ...two.problems], []);
  });

  test("names, values and metrics full of markup are shown as text, never run", async () => {
    const { page, problems } = await reportPage(ids.hostile);
    assert.equal(await page.$eval("header h1", (h) => h.getAttribute("title")), HOSTILE);
    assert.equal(await page.$$eval("img", (i) => i.length), 0, "no element was made from a value");
    const cells = await tableColumn(page, "param:optimizer");
    assert.ok(cells.includes(HOSTILE), cells.join(" | "));
    assert.deepEqual(problems, [], "no alert, no error");
  });
});
