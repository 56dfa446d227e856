/**
 * The ask/tell contract of a sweep, used by library callers, the optimize loop, the in-process agent and
 * the process runner alike.
 */
import type { FlatParams } from "../space/types.js";

/**
 * A trial handed out by `ask()`. `TConfig` is the type of `config`: inferred from a literal config given to
 * `createSweep` (src/config/input.ts, TrialConfigOf), a plain record otherwise.
 */
export interface Trial<TConfig extends object = Record<string, unknown>> {
  readonly id: number;
  readonly sweepId: string;
  /** 0, 1, 2 … within the sweep. */
  readonly number: number;
  /** 1 on the first run, higher when a retried or resumed trial runs again with the same params. */
  readonly attempt: number;
  /** Flat, dotted names (`optimizer.lr`). */
  readonly params: FlatParams;
  /** The same values as nested objects, as a trainer sees them (`config.optimizer.lr`). */
  readonly config: TConfig;
}

/** How a trial ended, for `tell()`. A bare number means completed with that objective value. */
export type TellResult =
  | number
  | {
      readonly state: "completed";
      /** Omitted: taken from the reported values of the sweep metric (last or best, per `sweep.objective`). */
      readonly value?: number;
    }
  | {
      readonly state: "pruned" | "failed" | "interrupted";
      readonly value?: number | null;
      readonly error?: string | null;
      readonly exitCode?: number | null;
      readonly signal?: string | null;
      readonly pruneStep?: number | null;
      readonly pruneReason?: string | null;
    };

export interface AskOptions {
  /** Who runs the trial (shown in `sweep show`); default `host:pid`. */
  readonly worker?: string;
}
