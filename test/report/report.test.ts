import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createSweep } from "../../src/study/index.js";
import { openStorage } from "../../src/storage/index.js";
import { sweepCli } from "./cli.js";
import { buildSeedStorage, type SeedStorage } from "./seeds.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-report-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE = `<script>alert("x")</script>&'"`;

/** The sweep view a report carries (the JSON block its script draws from). */
function embeddedView(html: string): { trials: { status: string; curves: Record<string, unknown[]> }[]; importance: unknown; metricNames: string[]; sweep: { name: string } } {
  const match = /<script type="application\/json" id="sweep-view">([^<]*)<\/script>/.exec(html);
  assert.ok(match, "the report embeds its data");
  return JSON.parse(match[1]!);
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
    assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//, "no external resource");
    assert.doesNotMatch(html, /<link\b|<script src|@import|url\((?!#)/);
    assert.match(html, /connect-src 'none'/, "the file may not reach any server");
    const view = embeddedView(html);
    assert.equal(view.trials.length, 24);
    assert.deepEqual(view.metricNames.sort(), ["train_loss", "val_loss", "val_pearson", "val_spearman"]);
    assert.match(JSON.stringify(view.importance), /PED-ANOVA/);
    // 8 pruned trials, each with its curves of the 4 reported metrics (the page marks where they stopped).
    const pruned = view.trials.filter((t) => t.status === "pruned");
    assert.equal(pruned.length, 8);
    for (const t of pruned) assert.equal(Object.keys(t.curves).length, 4);
  });

  test("every user string is escaped", async () => {
    const out = join(dir, "hostile.html");
    const r = await sweepCli(["report", hostileId, "--storage", seeds.db, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(out, "utf8");
    assert.ok(!html.includes(HOSTILE) && !html.includes('alert("x")'), "the raw string never appears");
    assert.equal((html.match(/<script/g) ?? []).length, 2, "only the report's data block and its own script");
    assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&quot;"), "the title is escaped");
    assert.equal(embeddedView(html).sweep.name, HOSTILE, "the data block holds the string intact, escaped as JSON");
  });
});
