/**
 * Did-you-mean suggestions for misspelt keys and enum values.
 *
 * Uses the optimal-string-alignment variant of the Damerau–Levenshtein distance, because the commonest
 * typos in hand-written YAML are swapped neighbours (`distirbution`) as well as dropped or doubled letters.
 */

/** Edit distance counting insertions, deletions, substitutions and swaps of adjacent characters. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i++) d[i]![0] = i;
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Case, `_` and `-` do not matter when comparing: `trialsPerGpu` and `trials-per-gpu` mean `trials_per_gpu`. */
function normalise(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, "");
}

function lengthGap(a: string, b: string): number {
  return Math.abs(a.length - b.length);
}

/**
 * The closest candidate to `word`, or undefined when nothing is close enough to be a plausible typo.
 * Allows roughly one edit per three characters; words under three characters must match up to case and
 * separators, since one edit turns any one-letter key (`a`, `b`, `q`) into another.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const target = normalise(word);
  if (target.length === 0) return undefined;
  const budget = target.length < 3 ? 0 : Math.min(3, Math.max(1, Math.floor(target.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(target, normalise(candidate));
    // On a tie prefer the candidate closest in length: "valuse" is "values" with two letters swapped,
    // not "value" with a letter added.
    const tie = distance === bestDistance && best !== undefined && lengthGap(candidate, word) < lengthGap(best, word);
    if (distance < bestDistance || tie) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= budget ? best : undefined;
}
