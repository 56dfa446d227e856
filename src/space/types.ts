/**
 * The search space: one entry per leaf parameter of a sweep file.
 *
 * Nested W&B parameters (a parameter with its own `parameters:` block) are flattened to dotted names
 * (`optimizer.lr`) with their original key path kept in `path`, so samplers work on a flat list while the
 * trial config handed to a trainer can be rebuilt as nested objects (see `unflattenParams`).
 */

/** Every W&B distribution, as data. Bounds are as written in the sweep file (log_uniform: natural-log exponents). */
export type Distribution =
  | { kind: "constant"; value: unknown }
  | { kind: "categorical"; values: readonly unknown[]; probabilities?: readonly number[] }
  | { kind: "int_uniform"; min: number; max: number }
  | { kind: "uniform"; min: number; max: number }
  | { kind: "q_uniform"; min: number; max: number; q: number }
  | { kind: "log_uniform"; min: number; max: number }
  | { kind: "log_uniform_values"; min: number; max: number }
  | { kind: "q_log_uniform"; min: number; max: number; q: number }
  | { kind: "q_log_uniform_values"; min: number; max: number; q: number }
  | { kind: "inv_log_uniform"; min: number; max: number }
  | { kind: "inv_log_uniform_values"; min: number; max: number }
  | { kind: "normal"; mu: number; sigma: number }
  | { kind: "q_normal"; mu: number; sigma: number; q: number }
  | { kind: "log_normal"; mu: number; sigma: number }
  | { kind: "q_log_normal"; mu: number; sigma: number; q: number }
  | { kind: "beta"; a: number; b: number };

export type DistributionKind = Distribution["kind"];

export interface ParamSpec {
  /** Dotted name, unique in the space: `lr`, `optimizer.lr`. */
  readonly name: string;
  /** Key path in the nested trial config: `["optimizer", "lr"]`. */
  readonly path: readonly string[];
  readonly dist: Distribution;
  /**
   * Which of its values are Python floats although integral, when that differs from the default rule
   * (see `floatMaskOf`): set by the sweep-file validator from the numbers as written (`1.0`, `q: 1`).
   */
  readonly floats?: ParamFloats;
}

/**
 * Marks the numbers of a value that are Python floats although integral (`1.0` written in a sweep file):
 * JavaScript has one number type, while W&B passes `--clip=1.0` for a float and `--clip=1` for an int.
 * `true` marks a float; an array or object mirrors the value's items; `false` marks nothing.
 */
export type FloatMask = boolean | readonly FloatMask[] | { readonly [key: string]: FloatMask };

/** Python number types of one parameter's values, where the default rule of `floatMaskOf` is not enough. */
export type ParamFloats =
  /** A sampled numeric distribution: every value is a float (true) or an int (false). */
  | { readonly sampled: boolean }
  /** categorical: one mask per entry of `values`. */
  | { readonly values: readonly FloatMask[] }
  /** constant: the mask of `value`. */
  | { readonly value: FloatMask };

export interface SearchSpace {
  /** In sweep-file order; grid enumeration and seeded sampling depend on this order being stable. */
  readonly params: readonly ParamSpec[];
}

/** Flat trial parameters: dotted name -> value (JSON-serialisable). */
export type FlatParams = Record<string, unknown>;

/** A uniform random source on [0, 1). Created from a seed with `createRng` so sweeps are reproducible. */
export type Rng = () => number;
