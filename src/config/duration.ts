/** Durations as people write them in config files: `90`, `90s`, `30m`, `2h`, `1h30m`, `1.5h`, `1d`. */

const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;

/** Seconds, or undefined when `text` is not a duration. A bare number means seconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === "") return undefined;
  let seconds = 0;
  PART.lastIndex = 0;
  let consumed = 0;
  for (let match = PART.exec(trimmed); match !== null; match = PART.exec(trimmed)) {
    seconds += Number(match[1]) * UNIT_SECONDS[match[2]!]!;
    consumed = PART.lastIndex;
    while (trimmed[consumed] === " ") consumed++;
    PART.lastIndex = consumed;
  }
  return consumed === trimmed.length ? seconds : undefined;
}
