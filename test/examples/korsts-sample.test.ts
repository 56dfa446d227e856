/** The shipped KorSTS sample: within the size the license note allows, well formed, and reproducible. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { spawnSync } from "node:child_process";
import { proportionalQuotas, SAMPLE_PLAN } from "../../examples/data/korsts-sample/make-sample.js";
import { buildRoot, korstsDir, repoRoot } from "../helpers/paths.js";

const sampleDir = join(repoRoot, "examples", "data", "korsts-sample");
const HEADER = "genre\tfilename\tyear\tid\tscore\tsentence1\tsentence2";

describe("KorSTS sample", () => {
  it("ships at most 1,000 rows with the original header, every genre, and its license", () => {
    let total = 0;
    for (const { target, rows } of SAMPLE_PLAN) {
      const lines = readFileSync(join(sampleDir, target), "utf8").trimEnd().split("\n");
      assert.equal(lines[0], HEADER);
      assert.equal(lines.length - 1, rows, target);
      for (const line of lines.slice(1)) assert.equal(line.split("\t").length, 7, `${target}: ${line}`);
      const genres = new Set(lines.slice(1).map((l) => l.split("\t")[0]));
      assert.equal(genres.size, 3, `${target} genres: ${[...genres].join(", ")}`);
      total += rows;
    }
    assert.ok(total <= 1000, `${total} rows`);
    assert.match(readFileSync(join(sampleDir, "LICENSE"), "utf8"), /Attribution-ShareAlike 4\.0 International/);
    assert.match(readFileSync(join(sampleDir, "SOURCE.md"), "utf8"), /arXiv:2004\.03289/);
  });

  it("splits rows between genres in proportion, summing exactly", () => {
    assert.deepEqual(proportionalQuotas([2000, 450, 3299], 800), [278, 63, 459]);
    assert.deepEqual(proportionalQuotas([1, 1, 1], 2), [1, 1, 0]);
    assert.throws(() => proportionalQuotas([1, 2], 4), /cannot take 4 rows from 3/);
  });

  const present = SAMPLE_PLAN.every(({ source }) => existsSync(join(korstsDir, source)));
  it(
    "is reproduced byte for byte by make-sample from the full files",
    { skip: present ? false : `KorSTS not found at ${korstsDir} (shared data folder absent)` },
    () => {
      const out = mkdtempSync(join(tmpdir(), "korsts-sample-"));
      try {
        const script = join(buildRoot, "examples", "data", "korsts-sample", "make-sample.js");
        const result = spawnSync(process.execPath, [script, `--source=${korstsDir}`, `--out=${out}`], { encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        for (const { target } of SAMPLE_PLAN) {
          assert.ok(readFileSync(join(out, target)).equals(readFileSync(join(sampleDir, target))), `${target} differs`);
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
