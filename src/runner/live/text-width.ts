/**
 * Text measured and cut by the cells it takes on a terminal, not by its UTF-16 length: a Korean syllable,
 * a CJK ideograph or an emoji takes two cells, a combining accent none. `string-width` measures (it follows
 * Unicode's East Asian Width and emoji data); `cli-truncate` cuts. Text reaching these helpers has already
 * been through `escapeControl`, so it holds no escape sequences of its own.
 */
import cliTruncate from "cli-truncate";
import stringWidth from "string-width";

/** Cells the text takes on a terminal. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

export type CutAt = "end" | "middle";

/**
 * The text cut to at most `max` cells, with "…" where text was left out. A wide character that would
 * straddle the limit is left out too (cli-truncate alone can overshoot by one cell there).
 */
export function fitWidth(text: string, max: number, at: CutAt = "end"): string {
  if (max <= 0) return "";
  if (displayWidth(text) <= max) return text;
  for (let target = max; target > 0; target--) {
    const cut = cliTruncate(text, target, { position: at });
    if (displayWidth(cut) <= max) return cut;
  }
  return "";
}

/** Pads with spaces on the right to `width` cells (text already wider is returned as is). */
export function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** Pads with spaces on the left to `width` cells. */
export function padStart(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - displayWidth(text))) + text;
}

/**
 * Splits text that is too wide into pieces of at most `max` cells each, never inside a character, so a long
 * value is wrapped rather than cut.
 */
export function splitByWidth(text: string, max: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let width = 0;
  // Grapheme clusters keep an emoji sequence or a letter with its accents together.
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)) {
    const w = displayWidth(segment);
    if (width + w > max && piece !== "") {
      pieces.push(piece);
      piece = "";
      width = 0;
    }
    piece += segment;
    width += w;
  }
  if (piece !== "" || pieces.length === 0) pieces.push(piece);
  return pieces;
}

/**
 * Packs words (here: `name=value` pairs) into lines of at most `width` cells, `indent` before every line
 * after the first; a word wider than a line is split across lines instead of cut.
 */
export function wrapWords(words: readonly string[], width: number, indent = "", firstPrefix = ""): string[] {
  const lines: string[] = [];
  let line = firstPrefix;
  let lineHasWord = false;
  const room = () => width - displayWidth(line);
  for (const word of words) {
    const sep = lineHasWord ? " " : "";
    if (displayWidth(sep + word) <= room()) {
      line += sep + word;
      lineHasWord = true;
      continue;
    }
    if (lineHasWord) {
      lines.push(line);
      line = indent;
      lineHasWord = false;
    }
    // Later pieces go on indented lines: no piece may be wider than those.
    const available = Math.max(1, Math.min(room(), width - displayWidth(indent)));
    if (displayWidth(word) <= available) {
      line += word;
      lineHasWord = true;
      continue;
    }
    const pieces = splitByWidth(word, available);
    for (const [i, piece] of pieces.entries()) {
      if (i > 0) {
        lines.push(line);
        line = indent;
      }
      line += piece;
    }
    lineHasWord = true;
  }
  lines.push(line);
  return lines;
}
