import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createSweep } from "../../src/study/index.js";
import { openStorage } from "../../src/storage/index.js";
import { sweepCli } from "./cli.js";
import { buildSeedStorage, type SeedStorage } from "./seeds.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-report-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const HOSTILE = `<script>alert("x")</script>&'"`;

/**
 * Render the report in headless Chromium and return what a probe script saw: errors thrown or logged to
 * the console, and each chart's size and number of marks. The probe is added to a copy, so the report
 * itself carries no test code; the error hook goes first in <head> to see everything after it.
 */
function renderInChromium(html: string): { errors: string[]; charts: { label: string; width: number; height: number; marks: number }[] } {
  const hook = `<script>window.__errors=[];addEventListener("error",function(e){__errors.push(String(e.message))});` +
    `var __ce=console.error;console.error=function(){__errors.push([].join.call(arguments," "));__ce.apply(console,arguments)};</script>`;
  const probe = `<script>(function(){var charts=[].map.call(document.querySelectorAll("svg.chart"),function(s){var b=s.getBoundingClientRect();` +
    `return {label:s.getAttribute("aria-label"),width:b.width,height:b.height,marks:s.querySelectorAll("circle,polyline,rect,path").length}});` +
    `var out=document.createElement("pre");out.id="render-check";out.textContent=JSON.stringify({errors:__errors,charts:charts});document.body.appendChild(out)})();</script>`;
  const file = join(dir, "probe.html");
  writeFileSync(file, html.replace("<head>", `<head>${hook}`).replace("</body>", `${probe}</body>`));
  const r = spawnSync(
    CHROMIUM!,
    ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--no-first-run", `--user-data-dir=${join(dir, "chromium-profile")}`, "--dump-dom", `file://${file}`],
    { encoding: "utf8", timeout: 60_000 },
  );
  const match = /<pre id="render-check">([^<]*)<\/pre>/.exec(r.stdout);
  assert.ok(match, `chromium printed no probe result (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(match[1]!.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">"));
}

describe("sweep report", () => {
  let seeds: SeedStorage;
  let hostileId = "";
  before(async () => {
    seeds = await buildSeedStorage(join(dir, "seeds.db"));
    const storage = await openStorage(seeds.db);
    const sweep = await createSweep({
      storage,
      config: {
        name: HOSTILE,
        method: "grid",
        metric: { name: "val_pearson", goal: "maximize" },
        parameters: { optimizer: { values: [HOSTILE, "adamw"] }, lr: { values: [1e-5, 3e-5] } },
      },
    });
    hostileId = sweep.id;
    for (let t = await sweep.ask(); t; t = await sweep.ask()) {
      await sweep.report(t, 1, { val_pearson: 0.5, [`m${HOSTILE}`]: 1 });
      if (t.number === 0) await sweep.tell(t, { state: "pruned", pruneStep: 1, pruneReason: HOSTILE });
      else await sweep.tell(t, 0.5 + t.number / 10);
    }
    await storage.close();
  });

  test("writes one self-contained file with every section and nothing fetched", async () => {
    const out = join(dir, "report.html");
    const r = await sweepCli(["report", seeds.ids["klue/roberta-large"]!, "--storage", seeds.db, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(out, "utf8");
    for (const section of ["Best per model", "Optimization history", "Hyperparameter importance", "Parallel coordinates", "Slice plots", "Learning curves", "Trials"]) {
      assert.ok(html.includes(`<h2>${section}</h2>`), section);
    }
    assert.match(html, /PED-ANOVA/);
    assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//, "no external resource");
    assert.doesNotMatch(html, /<link\b|<script src|@import|url\(/);
    // The best row of the model, with its lr, batch size, warmup and weight decay.
    assert.match(html, /<td>klue\/roberta-large<\/td><td class="num">0\.91<\/td>/);
    for (const name of ["lr", "batch_size", "warmup_ratio", "weight_decay"]) assert.ok(html.includes(`<th>${name}</th>`), name);
    // 8 pruned trials, marked on the curves of each of the 4 reported metrics.
    assert.equal((html.match(/class="prune-mark"/g) ?? []).length, 8 * 4, "each pruned trial is marked on its curves");
  });

  test("every user string is escaped", async () => {
    const out = join(dir, "hostile.html");
    const r = await sweepCli(["report", hostileId, "--storage", seeds.db, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(out, "utf8");
    assert.ok(!html.includes(HOSTILE) && !html.includes('alert("x")'), "the raw string never appears");
    assert.equal((html.match(/<script/g) ?? []).length, 1, "only the report's own script");
    assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&quot;"));
  });

  test("renders in headless Chromium: charts drawn, no console errors", { skip: CHROMIUM ? false : "chromium is not installed (apt-get install chromium)" }, async () => {
    const out = join(dir, "browser.html");
    const r = await sweepCli(["report", seeds.ids.multi!, "--storage", seeds.db, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    const seen = renderInChromium(readFileSync(out, "utf8"));
    assert.deepEqual(seen.errors, []);
    const labels = seen.charts.map((c) => c.label);
    for (const prefix of ["optimization history", "hyperparameter importance", "parallel coordinates", "val_pearson against learning_rate", "learning curves of val_pearson"]) {
      assert.ok(labels.some((l) => l.startsWith(prefix)), `${prefix} in ${labels.join(" | ")}`);
    }
    for (const chart of seen.charts.filter((c) => !c.label.startsWith("learning curves of ") || c.label.endsWith("val_pearson"))) {
      assert.ok(chart.width > 100 && chart.height > 50, `${chart.label} has a size (${chart.width}x${chart.height})`);
      assert.ok(chart.marks >= 3, `${chart.label} has marks`);
    }
  });
});
