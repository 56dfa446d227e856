/**
 * A BERT-style WordPiece tokenizer over a vocab.txt (one token per line, the line number its id), enough to
 * feed ONNX exports of BERT/ELECTRA/RoBERTa-WordPiece encoders such as KoELECTRA or KLUE models: split on
 * whitespace and punctuation, then greedy longest-match-first pieces with "##" marking a word's
 * continuation. Text is NFC-normalised and not lowercased (Korean encoders are cased).
 */
import { readFileSync } from "node:fs";

const CONTINUATION = "##";
/** Words longer than this become [UNK], as in BERT: long strings are noise, and matching them is quadratic. */
const MAX_WORD_CHARS = 100;
const SPECIAL = { pad: "[PAD]", unk: "[UNK]", cls: "[CLS]", sep: "[SEP]" } as const;

export class WordPieceTokenizer {
  readonly padId: number;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    source: string,
  ) {
    const id = (token: string): number => {
      const found = vocab.get(token);
      if (found === undefined) throw new Error(`${source}: vocabulary has no ${token} token; expected a BERT-style vocab.txt with [PAD], [UNK], [CLS] and [SEP]`);
      return found;
    };
    this.padId = id(SPECIAL.pad);
    this.unkId = id(SPECIAL.unk);
    this.clsId = id(SPECIAL.cls);
    this.sepId = id(SPECIAL.sep);
  }

  static fromFile(path: string): WordPieceTokenizer {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`cannot read vocabulary ${JSON.stringify(path)}: ${(err as Error).message}`);
    }
    const vocab = new Map<string, number>();
    text.split(/\r?\n/).forEach((line, i) => {
      // The first occurrence wins, as in the reference implementation; a trailing empty line is not a token.
      if (line !== "" && !vocab.has(line)) vocab.set(line, i);
    });
    return new WordPieceTokenizer(vocab, path);
  }

  /** Ids of `[CLS] pieces [SEP]`, the pieces cut so the whole is at most `maxLength` long. */
  encode(text: string, maxLength: number): number[] {
    const ids = [this.clsId];
    for (const word of splitWords(text)) {
      for (const id of this.pieces(word)) {
        if (ids.length >= maxLength - 1) return [...ids, this.sepId];
        ids.push(id);
      }
    }
    ids.push(this.sepId);
    return ids;
  }

  /** Greedy longest-match-first pieces of one word; a word with an unmatchable part is a single [UNK]. */
  private pieces(word: string): number[] {
    const chars = Array.from(word);
    if (chars.length > MAX_WORD_CHARS) return [this.unkId];
    const ids: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (end > start) {
        const piece = (start > 0 ? CONTINUATION : "") + chars.slice(start, end).join("");
        found = this.vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [this.unkId];
      ids.push(found);
      start = end;
    }
    return ids;
  }
}

/** Whitespace-separated words, with each punctuation or symbol character a word of its own. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const chunk of text.normalize("NFC").split(/\s+/)) {
    let current = "";
    for (const ch of chunk) {
      if (/[\p{P}\p{S}]/u.test(ch)) {
        if (current !== "") words.push(current);
        words.push(ch);
        current = "";
      } else {
        current += ch;
      }
    }
    if (current !== "") words.push(current);
  }
  return words;
}
