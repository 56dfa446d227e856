/**
 * The metric protocol (docs/protocol.md): a trainer writes one JSON object per line, either on the pipe
 * whose fd number is in SWEEP_METRICS_FD, or on stdout behind the `@@sweep ` prefix. Decoding is
 * forgiving: a bad line is reported to the caller and skipped, never fatal to the trial.
 */

/** fd of the metrics pipe in the child: stdio slot 3, the first after stdin/stdout/stderr. */
export const METRICS_FD = 3;
/** Marks a metrics line on stdout (fallback for programs that cannot write to an extra fd). */
export const STDOUT_PREFIX = "@@sweep ";
/** Longer lines are refused (and skipped up to the next newline) so a runaway trainer cannot eat memory. */
export const MAX_LINE_BYTES = 64 * 1024;

export interface MetricReport {
  readonly step: number;
  /** Numeric values only, possibly NaN or ±Infinity (decided on by the controller). Empty on a summary-only line. */
  readonly metrics: Record<string, number>;
  /** Fields that were not numbers (labels such as `"phase": "train"`): ignored, kept for logs. */
  readonly ignored: readonly string[];
  /**
   * The run's summary (`"summary": {...}`), sent once when the run is over: finite numbers only. Not a step
   * (it never counts as an iteration for pruning); it ends the trial's history.
   */
  readonly summary?: Record<string, number>;
}

export type DecodedLine = { readonly ok: true; readonly report: MetricReport } | { readonly ok: false; readonly error: string; readonly line: string };

/**
 * Python's `json.dumps` writes NaN/Infinity/-Infinity as bare words, which strict JSON refuses. Rewrite
 * those words (outside strings) into tagged strings and map them back after parsing.
 */
const NON_FINITE_TAG = "\u0000sweep-nonfinite:";

function tagNonFiniteWords(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === "\\") {
        out += text[i + 1] ?? "";
        i++;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const rest = text.slice(i);
    const word = /^(-?Infinity|NaN)/.exec(rest);
    if (word) {
      out += JSON.stringify(NON_FINITE_TAG + word[1]);
      i += word[1]!.length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

function untag(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith(NON_FINITE_TAG)) {
    const word = value.slice(NON_FINITE_TAG.length);
    return word === "NaN" ? Number.NaN : word === "-Infinity" ? -Infinity : Infinity;
  }
  return value;
}

/**
 * Decodes one line (without newline or prefix). `previousStep` is the last step seen from this trial
 * attempt (0 before the first), used when the line has no `step`.
 */
export function decodeMetricLine(line: string, previousStep: number): DecodedLine {
  const text = line.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.includes("NaN") || text.includes("Infinity") ? tagNonFiniteWords(text) : text);
  } catch (err) {
    return { ok: false, error: `not JSON (${(err as Error).message})`, line };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: `expected a JSON object like {"step": 1, "loss": 0.5}`, line };
  }

  let step = previousStep + 1;
  const metrics: Record<string, number> = {};
  const ignored: string[] = [];
  let summary: Record<string, number> | undefined;
  for (const [key, raw] of Object.entries(parsed)) {
    if (key === "summary") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        return { ok: false, error: `"summary" is ${JSON.stringify(raw)}; expected an object like {"val_loss": 0.41}`, line };
      }
      summary = {};
      for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
        const value = untag(v);
        if (typeof value === "number" && Number.isFinite(value)) summary[name] = value;
      }
      continue;
    }
    const value = untag(raw);
    if (key === "step") {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
        return { ok: false, error: `"step" is ${JSON.stringify(raw)}; expected a non-negative integer`, line };
      }
      // Every backend keeps steps exactly up to 2^53 - 1; a larger one (a time.time_ns() timestamp) would be
      // rounded or refused by the storage, so the line is refused here, with the reason.
      if (value > Number.MAX_SAFE_INTEGER) {
        return { ok: false, error: `"step" is ${String(raw)}, above the largest step kept exactly (2^53 - 1 = ${Number.MAX_SAFE_INTEGER}); use an epoch or batch counter`, line };
      }
      step = value;
      continue;
    }
    if (typeof value === "number") metrics[key] = value;
    else ignored.push(key);
  }
  if (Object.keys(metrics).length === 0) {
    // A summary-only line is not a step: the step counter stays where it was.
    if (summary !== undefined) return { ok: true, report: { step: previousStep, metrics, ignored, summary } };
    return { ok: false, error: `no numeric metric in the object; expected at least one "name": number besides "step"`, line };
  }
  return { ok: true, report: { step, metrics, ignored, ...(summary !== undefined ? { summary } : {}) } };
}

/**
 * Splits a byte stream into lines. Bytes, not characters, are counted for the length cap, and a UTF-8
 * sequence split across chunks is kept intact because lines are only decoded once complete.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while skipping the rest of an over-long line. */
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverlong: (prefix: string) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      this.append(chunk.subarray(start, end));
      if (nl === -1) return;
      this.flushLine();
      start = nl + 1;
    }
  }

  /** Call at end of stream: a last line without newline still counts. */
  end(): void {
    if (this.pendingBytes > 0 || this.pending.length > 0) this.flushLine();
  }

  private append(part: Buffer): void {
    if (part.length === 0 || this.discarding) return;
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      const prefix = Buffer.concat([...this.pending, part]).subarray(0, 80).toString("utf8");
      this.onOverlong(prefix);
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private flushLine(): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    const line = Buffer.concat(this.pending).toString("utf8").replace(/\r$/, "");
    this.pending = [];
    this.pendingBytes = 0;
    this.onLine(line);
  }
}
