/**
 * The library's entry points: create or open a sweep from a config object, YAML/JSON text or a file, on a
 * storage given as an object or a location string.
 */
import { loadSweepFile, parseSweepConfig } from "../config/index.js";
import type { ResolvedSweep } from "../config/types.js";
import type { SweepConfigInput, TrialConfigOf } from "../config/input.js";
import { DEFAULT_STORAGE_PATH, openStorage } from "../storage/index.js";
import type { Storage } from "../storage/types.js";
import { pickNamedSweep } from "../storage/validate.js";
import { optimize, type Objective, type OptimizeOptions, type OptimizeSummary } from "./optimize.js";
import { ambiguousIntRanges, INT_RANGE_WARNING_CODE } from "./config-object.js";
import { Sweep, type SweepOptions } from "./sweep.js";

export interface CreateSweepOptions extends SweepOptions {
  /**
   * The sweep: a W&B-style config object (as it would be written in YAML), YAML/JSON text, or an already
   * resolved sweep. Exactly one of `config` and `file` is needed. In an object, `{min: 0, max: 1}` without a
   * `distribution` samples integers (JavaScript has no `0.0`) and emits a process warning
   * (`SWEEP_INT_RANGE_FROM_OBJECT`); write `distribution: "uniform"` for reals.
   */
  readonly config?: Readonly<Record<string, unknown>> | string | ResolvedSweep;
  /** A sweep file to load instead of `config`. */
  readonly file?: string;
  /** A storage object, or a location (`storage/sweeps.db`, `:memory:`). Default: in-memory. */
  readonly storage?: Storage | string;
  /** Unknown keys become warnings instead of errors (as the W&B service treats them). */
  readonly lenient?: boolean;
  /**
   * Load the sweep of the same `name` (the config's `name`) if the storage has one, instead of creating a
   * second (Optuna's `load_if_exists`). Its stored config, sampler and pruner are used, not the ones given.
   */
  readonly loadIfExists?: boolean;
}

export interface LoadSweepOptions extends SweepOptions {
  /** Default: `storage/sweeps.db`. */
  readonly storage?: Storage | string;
}

/** `createSweep`'s options with a config object of known shape, from which `trial.config` is typed. */
export type TypedCreateSweepOptions<C extends SweepConfigInput> = Omit<CreateSweepOptions, "config" | "file"> & {
  readonly config: C;
  readonly file?: undefined;
};

/**
 * What the untyped `createSweep` accepts as `config`: text, a resolved sweep, or an object the compiler
 * cannot read as a sweep config: a record (`Record<string, unknown>`, `any`), an object whose `method` is
 * typed `string` (a variable written without `as const`), or one whose parameters are a record built at run
 * time. An object literal with a literal `method` and literal parameter names is held to SweepConfigInput, so
 * `method: "randm"` or `goal: "maximise"` does not compile.
 */
export type UntypedConfig<C> = C extends string | ResolvedSweep
  ? C
  : 0 extends 1 & C
    ? C
    : string extends keyof C
      ? C
      : C extends { readonly method: infer M; readonly parameters?: infer P }
        ? string extends M
          ? C
          : string extends keyof P
            ? C
            : SweepConfigInput
        : SweepConfigInput;

/**
 * Validate a sweep config and store it as a new sweep. Throws `ConfigError` listing every problem.
 *
 * With a config object written in place (or made by `defineSweepConfig`), the compiler checks it against the
 * sweep file's keys and types `trial.config` from its parameters; otherwise `trial.config` is a plain record
 * and only the run-time validation applies.
 */
export async function createSweep<const C extends SweepConfigInput>(
  options: TypedCreateSweepOptions<C>,
): Promise<Sweep<TrialConfigOf<C>>>;
export async function createSweep<const C extends Readonly<Record<string, unknown>> | string | ResolvedSweep = never>(
  options: CreateSweepOptions & { readonly config?: C & UntypedConfig<C> },
): Promise<Sweep>;
export async function createSweep(options: CreateSweepOptions): Promise<Sweep> {
  const resolved = resolveConfig(options);
  const storage = await toStorage(options.storage, ":memory:");
  return Sweep.create(storage, resolved, options);
}

/**
 * Open a stored sweep by id or by name (the config's `name`). An id wins over a name; a name shared by
 * several sweeps is refused with their ids, so a second process never silently picks another sweep.
 * `TConfig` types `trial.config` on the caller's word (nothing checks it against the stored sweep):
 * `loadSweep<{lr: number}>(id)`.
 */
export async function loadSweep<TConfig extends object = Record<string, unknown>>(idOrName: string, options: LoadSweepOptions = {}): Promise<Sweep<TConfig>> {
  const storage = await toStorage(options.storage, DEFAULT_STORAGE_PATH);
  if ((await storage.getSweep(idOrName).catch(() => null)) === null) {
    const byName = await findByName(storage, idOrName);
    if (byName !== null) return Sweep.load<TConfig>(storage, byName, options);
  }
  return Sweep.load<TConfig>(storage, idOrName, options);
}

/** The id of the one sweep with this name, null when none; throws when several share it (as createOrLoadNamedSweep does). */
async function findByName(storage: Storage, name: string): Promise<string | null> {
  const named = (await storage.listSweeps()).filter((s) => s.name === name);
  return pickNamedSweep(name, named, storage.location)?.id ?? null;
}

export interface AgentOptions extends LoadSweepOptions {
  /** Trials to run before returning (wandb.agent's `count`). Default: until the sweep stops. */
  readonly count?: number;
  readonly worker?: string;
  readonly signal?: AbortSignal;
  /** Take back the trials of agents that died: see `OptimizeOptions.heartbeat`. */
  readonly heartbeat?: OptimizeOptions["heartbeat"];
}

/**
 * Join a sweep and run `fn` on its trials, as `wandb.agent(sweep_id, function=fn, count=n)` does: any number
 * of agents, in this or other processes sharing the storage, split the sweep's trials between them.
 */
export async function agent<TConfig extends object = Record<string, unknown>>(
  sweep: string | Sweep<TConfig>,
  fn: Objective<TConfig>,
  options: AgentOptions = {},
): Promise<OptimizeSummary> {
  const target = typeof sweep === "string" ? await loadSweep<TConfig>(sweep, options) : sweep;
  return optimize(target, fn, { trials: options.count, worker: options.worker, signal: options.signal, heartbeat: options.heartbeat });
}

function resolveConfig(options: CreateSweepOptions): ResolvedSweep {
  const { config, file } = options;
  if ((config === undefined) === (file === undefined)) {
    throw new TypeError("createSweep needs exactly one of `config` and `file`");
  }
  if (file !== undefined) return loadSweepFile(file, { lenient: options.lenient });
  if (typeof config === "string") return parseSweepConfig(config, { lenient: options.lenient });
  if (isResolved(config)) return config;
  const object = config as Record<string, unknown>;
  // Define-by-run: an object with no `parameters` declares none; the objective suggests them as it runs.
  // The sweep-file validator (rightly, for files) wants at least one, so a placeholder is validated and
  // taken out again.
  if (!("parameters" in object)) return withoutPlaceholder(JSON.stringify(object), parseSweepConfig(JSON.stringify({ ...object, parameters: { [PLACEHOLDER]: { value: 0 } } }), { format: "json", lenient: options.lenient }));
  const resolved = parseSweepConfig(JSON.stringify(config), { format: "json", lenient: options.lenient });
  // An object cannot tell 0.0 from 0: see config-object.ts for the rule, and say when it applied.
  const ambiguous = ambiguousIntRanges(config as Readonly<Record<string, unknown>>);
  for (const warning of ambiguous) process.emitWarning(warning.message, { code: INT_RANGE_WARNING_CODE });
  return ambiguous.length === 0 ? resolved : { ...resolved, warnings: [...resolved.warnings, ...ambiguous] };
}

const PLACEHOLDER = "__define_by_run__";

function withoutPlaceholder(raw: string, resolved: ResolvedSweep): ResolvedSweep {
  return {
    ...resolved,
    raw,
    config: { ...resolved.config, parameters: {} },
    space: { params: resolved.space.params.filter((p) => p.name !== PLACEHOLDER) },
  };
}

function isResolved(value: unknown): value is ResolvedSweep {
  return typeof value === "object" && value !== null && "space" in value && "config" in value && "raw" in value;
}

async function toStorage(storage: Storage | string | undefined, fallback: string): Promise<Storage> {
  if (storage === undefined) return openStorage(fallback);
  return typeof storage === "string" ? openStorage(storage) : storage;
}
