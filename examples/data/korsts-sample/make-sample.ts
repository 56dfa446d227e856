/**
 * Rebuilds this folder's sample of KorSTS from the full files, deterministically:
 *
 *   npx tsc -p tsconfig.json && node dist/examples/data/korsts-sample/make-sample.js \
 *     [--source=../shared/data/korsts] [--out=examples/data/korsts-sample]
 *
 * train.tsv takes 800 rows of sts-train.tsv and dev.tsv 200 rows of sts-dev.tsv. Each genre gets its
 * proportional share (largest-remainder rounding), the rows within a genre are drawn by a seeded shuffle,
 * and the chosen rows are written verbatim in their original file order under the original header.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findRepoRoot } from "../../trainers/sts-hash/paths.js";
import { Rng } from "../../trainers/sts-hash/rng.js";

/** Fixed so the shipped files can be reproduced byte for byte. */
export const SAMPLE_SEED = 20200407;

export const SAMPLE_PLAN = [
  { source: "sts-train.tsv", target: "train.tsv", rows: 800 },
  { source: "sts-dev.tsv", target: "dev.tsv", rows: 200 },
] as const;

/** Split `total` into integer shares proportional to `sizes` that sum to exactly `total`. */
export function proportionalQuotas(sizes: readonly number[], total: number): number[] {
  const all = sizes.reduce((a, b) => a + b, 0);
  if (total > all) throw new Error(`cannot take ${total} rows from ${all}`);
  const exact = sizes.map((s) => (s * total) / all);
  const quotas = exact.map(Math.floor);
  let left = total - quotas.reduce((a, b) => a + b, 0);
  // Largest remainders first; ties go to the earlier group so the result never depends on sort stability.
  const byRemainder = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left === 0) break;
    quotas[i]! += 1;
    left--;
  }
  return quotas;
}

/** The sampled file's text: header plus the chosen data lines in file order, newline-terminated. */
export function sampleTsv(text: string, rows: number, rng: Rng): string {
  const [header, ...lines] = text.split(/\r?\n/);
  if (header === undefined || !header.split("\t").includes("genre")) {
    throw new Error(`expected a KorSTS header with a "genre" column, got ${JSON.stringify(header)}`);
  }
  const genreColumn = header.split("\t").indexOf("genre");
  const byGenre = new Map<string, number[]>();
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const genre = line.split("\t")[genreColumn] ?? "";
    const group = byGenre.get(genre) ?? [];
    group.push(i);
    byGenre.set(genre, group);
  });
  const genres = [...byGenre.keys()].sort();
  const quotas = proportionalQuotas(genres.map((g) => byGenre.get(g)!.length), rows);
  const chosen: number[] = [];
  genres.forEach((genre, k) => chosen.push(...rng.shuffle([...byGenre.get(genre)!]).slice(0, quotas[k])));
  chosen.sort((a, b) => a - b);
  return [header, ...chosen.map((i) => lines[i]!)].join("\n") + "\n";
}

function argValue(argv: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

function main(argv: readonly string[]): void {
  for (const arg of argv) {
    if (!/^--(source|out)=/.test(arg)) throw new Error(`unknown argument ${JSON.stringify(arg)}; expected --source=DIR or --out=DIR`);
  }
  const root = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  if (root === undefined) throw new Error("cannot find the sweep repository root above this script");
  const sourceDir = resolve(argValue(argv, "source") ?? join(root, "..", "shared", "data", "korsts"));
  const outDir = resolve(argValue(argv, "out") ?? join(root, "examples", "data", "korsts-sample"));
  mkdirSync(outDir, { recursive: true });
  // One generator across both files, in a fixed order, so each file's draw is fixed too.
  const rng = new Rng(SAMPLE_SEED);
  for (const { source, target, rows } of SAMPLE_PLAN) {
    const text = readFileSync(join(sourceDir, source), "utf8");
    writeFileSync(join(outDir, target), sampleTsv(text, rows, rng));
    process.stderr.write(`${target}: ${rows} rows from ${join(sourceDir, source)}\n`);
  }
}

// Run only as a script, so tests can import the functions above.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`make-sample: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
