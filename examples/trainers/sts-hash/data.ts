/**
 * Loading KorSTS-format files: tab-separated, a header row naming at least `score`, `sentence1` and
 * `sentence2` (KorSTS also has genre, filename, year, id). Columns are found by name, not position, so a
 * file with extra or reordered columns still loads.
 */
import { readFileSync } from "node:fs";
import { Rng } from "./rng.js";

export interface StsPair {
  readonly sentence1: string;
  readonly sentence2: string;
  /** Gold similarity in [0, 5]. */
  readonly score: number;
}

export const MIN_SCORE = 0;
export const MAX_SCORE = 5;

const REQUIRED_COLUMNS = ["score", "sentence1", "sentence2"] as const;

/** Parse the text of an STS file; `source` names it in error messages. */
export function parseStsTsv(text: string, source: string): StsPair[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").replace(/^\uFEFF/, "").split("\t");
  const column: Record<string, number> = {};
  for (const name of REQUIRED_COLUMNS) {
    const index = header.indexOf(name);
    if (index < 0) {
      throw new Error(
        `${source}: header has no "${name}" column (found: ${JSON.stringify(header)}); ` +
          `expected tab-separated columns including ${REQUIRED_COLUMNS.join(", ")}`,
      );
    }
    column[name] = index;
  }

  const pairs: StsPair[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const fields = line.split("\t");
    const rawScore = fields[column.score!];
    const score = Number(rawScore);
    if (rawScore === undefined || rawScore.trim() === "" || !Number.isFinite(score) || score < MIN_SCORE || score > MAX_SCORE) {
      throw new Error(
        `${source}:${i + 1}: score ${JSON.stringify(rawScore)} is not a number in [${MIN_SCORE}, ${MAX_SCORE}]`,
      );
    }
    const sentence1 = fields[column.sentence1!];
    const sentence2 = fields[column.sentence2!];
    if (sentence1 === undefined || sentence2 === undefined) {
      throw new Error(`${source}:${i + 1}: expected ${header.length} tab-separated fields, found ${fields.length}`);
    }
    pairs.push({ sentence1, sentence2, score });
  }
  if (pairs.length === 0) throw new Error(`${source}: no data rows after the header`);
  return pairs;
}

/** Read an STS file from disk. */
export function loadStsFile(path: string): StsPair[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read STS file ${JSON.stringify(path)}: ${(err as Error).message}`);
  }
  return parseStsTsv(text, path);
}

/**
 * At most `maxRows` pairs, chosen by a fixed shuffle (not the run's seed) and kept in file order. Taking
 * the first rows would be wrong for KorSTS, whose files are grouped by genre; a fixed choice means trials
 * with different seeds still train on the same rows, so their scores are comparable.
 */
export function limitRows(pairs: readonly StsPair[], maxRows: number | undefined): StsPair[] {
  if (maxRows === undefined || maxRows >= pairs.length) return [...pairs];
  const indices = new Rng(0).shuffle(pairs.map((_, i) => i)).slice(0, maxRows);
  indices.sort((a, b) => a - b);
  return indices.map((i) => pairs[i]!);
}
