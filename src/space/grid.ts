/**
 * Grid enumeration without materialising the grid: a point is addressed by its index in a mixed-radix
 * numbering (first parameter varies slowest, each parameter's values in file order), so a grid of a
 * million points costs no more memory than one of ten.
 *
 * Which distributions can be a grid axis, and with which values:
 *   - constant: its one value;
 *   - categorical: its values in file order (duplicates kept: they are distinct grid points, as written;
 *     `probabilities` are ignored — they only weight random draws, and a grid visits every value once);
 *   - int_uniform: min, min + 1, …, max;
 *   - q_uniform, q_log_uniform, q_log_uniform_values: every multiple of q that random sampling of the same
 *     parameter can produce, ascending — k·q for k from round(low / q) to round(high / q), where low/high
 *     are the range in value space (exp of the exponents for q_log_uniform). Unlike wandb/sweeps, which
 *     uses arange(min, max, q) for q_uniform and so drops max, both ends are included.
 * Everything else is a continuous range (uniform, the log and inverse-log kinds, beta) or unbounded
 * (normal, q_normal, log_normal, q_log_normal) and raises a GridError.
 */
import type { Distribution, FlatParams, ParamSpec, SearchSpace } from "./types.js";
import { describeValue, valueBounds } from "./distributions.js";
import { stableStringify } from "./params.js";
import { isMultipleOf, stepIndex, stepValue } from "./quantize.js";

/** A parameter that cannot be a grid axis, or a grid too large to number. */
export class GridError extends Error {
  override readonly name = "GridError";
  constructor(
    message: string,
    /** Dotted name of the offending parameter, when one is to blame. */
    readonly param?: string,
    readonly distribution?: Distribution["kind"],
  ) {
    super(message);
  }
}

/** One parameter's finite list of values, indexed lazily. */
interface Axis {
  readonly size: number;
  valueAt(index: number): unknown;
  /** Whether `value` is the value at `index` (the test used to confirm a trial's recorded grid index). */
  matches(index: number, value: unknown): boolean;
  /** The first index holding `value`, or null. */
  indexOf(value: unknown): number | null;
}

const GRID_ADVICE =
  'a grid needs a finite set of values: list them with "values: [...]", or use int_uniform, ' +
  "or a q_* distribution with bounds (q_uniform, q_log_uniform, q_log_uniform_values)";

function listAxis(values: readonly unknown[]): Axis {
  const keys = values.map(stableStringify);
  const firstIndex = new Map<string, number>();
  keys.forEach((key, index) => {
    if (!firstIndex.has(key)) firstIndex.set(key, index);
  });
  return {
    size: values.length,
    valueAt: (index) => values[index],
    matches: (index, value) => keys[index] === stableStringify(value),
    indexOf: (value) => firstIndex.get(stableStringify(value)) ?? null,
  };
}

/** k·step for k = first … last, where `valueOf(k)` turns a step count into the value. */
function stepAxis(first: number, last: number, step: number, valueOf: (k: number) => number): Axis {
  const indexOf = (value: unknown): number | null => {
    if (typeof value !== "number" || !Number.isFinite(value) || !isMultipleOf(value, step)) return null;
    const k = stepIndex(value, step);
    return k >= first && k <= last ? k - first : null;
  };
  return {
    size: Math.max(0, last - first + 1),
    valueAt: (index) => valueOf(first + index),
    matches: (index, value) => indexOf(value) === index,
    indexOf,
  };
}

function axisFor(param: ParamSpec): Axis {
  const { dist, name } = param;
  switch (dist.kind) {
    case "constant":
      return listAxis([dist.value]);
    case "categorical":
      return listAxis(dist.values);
    case "int_uniform":
      if (!Number.isSafeInteger(dist.min) || !Number.isSafeInteger(dist.max)) {
        throw new GridError(
          `parameter "${name}" (int_uniform) needs integer bounds for a grid, got min ${dist.min}, max ${dist.max}`,
          name,
          dist.kind,
        );
      }
      return stepAxis(dist.min, dist.max, 1, (k) => k);
    case "q_uniform":
    case "q_log_uniform":
    case "q_log_uniform_values": {
      const bounds = valueBounds(dist);
      if (!(dist.q > 0) || !Number.isFinite(dist.q) || bounds === null) {
        const found = describeValue(dist.q);
        throw new GridError(`parameter "${name}" (${dist.kind}) needs q > 0, got q ${found}`, name, dist.kind);
      }
      const first = stepIndex(bounds.low, dist.q);
      const last = stepIndex(bounds.high, dist.q);
      if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) {
        throw new GridError(
          `parameter "${name}" (${dist.kind}) has too many multiples of q ${dist.q} between ` +
            `${bounds.low} and ${bounds.high} to enumerate`,
          name,
          dist.kind,
        );
      }
      return stepAxis(first, last, dist.q, (k) => stepValue(k, dist.q));
    }
    case "q_normal":
    case "q_log_normal":
      throw new GridError(
        `parameter "${name}" uses ${dist.kind}, which is unbounded, so a grid cannot enumerate it; ${GRID_ADVICE}`,
        name,
        dist.kind,
      );
    default:
      throw new GridError(
        `parameter "${name}" uses ${dist.kind}, a continuous range, which a grid cannot enumerate; ${GRID_ADVICE}`,
        name,
        dist.kind,
      );
  }
}

/** A search space seen as a numbered list of points. */
export interface Grid {
  /** Number of points (product of the axis sizes). */
  readonly size: number;
  /** The point with this index, 0 <= index < size. */
  pointAt(index: number): FlatParams;
  /**
   * The index of the first grid point equal to `params` on the space's parameters (extra keys are
   * ignored), or null if they are not a grid point.
   */
  indexOf(params: FlatParams): number | null;
  /** Whether `params` equal the point at `index` — confirms a recorded index still means the same point. */
  matches(index: number, params: FlatParams): boolean;
}

class IndexedGrid implements Grid {
  readonly size: number;
  /** strides[i] = product of the sizes of the axes after i, so the first axis varies slowest. */
  private readonly strides: number[];

  constructor(
    private readonly names: readonly string[],
    private readonly axes: readonly Axis[],
  ) {
    this.strides = new Array<number>(axes.length);
    let stride = 1;
    for (let i = axes.length - 1; i >= 0; i--) {
      this.strides[i] = stride;
      stride *= axes[i]!.size;
      if (!Number.isSafeInteger(stride)) {
        throw new GridError(`the grid has more than ${Number.MAX_SAFE_INTEGER} points; it cannot be enumerated`);
      }
    }
    this.size = stride;
  }

  private checkIndex(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`grid index must be an integer in [0, ${this.size}), got ${describeValue(index)}`);
    }
  }

  pointAt(index: number): FlatParams {
    this.checkIndex(index);
    const point: FlatParams = {};
    this.axes.forEach((axis, i) => {
      point[this.names[i]!] = axis.valueAt(Math.floor(index / this.strides[i]!) % axis.size);
    });
    return point;
  }

  indexOf(params: FlatParams): number | null {
    let index = 0;
    for (let i = 0; i < this.axes.length; i++) {
      const name = this.names[i]!;
      if (!Object.hasOwn(params, name)) return null;
      const axisIndex = this.axes[i]!.indexOf(params[name]);
      if (axisIndex === null) return null;
      index += axisIndex * this.strides[i]!;
    }
    return index;
  }

  matches(index: number, params: FlatParams): boolean {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) return false;
    return this.axes.every((axis, i) => {
      const name = this.names[i]!;
      const axisIndex = Math.floor(index / this.strides[i]!) % axis.size;
      return Object.hasOwn(params, name) && axis.matches(axisIndex, params[name]);
    });
  }
}

/** The grid of a space; throws GridError if a parameter has no finite set of values or one has none at all. */
export function createGrid(space: SearchSpace): Grid {
  const axes = space.params.map((param) => {
    const axis = axisFor(param);
    if (axis.size === 0) {
      const { name, dist } = param;
      throw new GridError(`parameter "${name}" (${dist.kind}) has no values to put in a grid`, name, dist.kind);
    }
    return axis;
  });
  return new IndexedGrid(
    space.params.map((p) => p.name),
    axes,
  );
}

export function gridSize(space: SearchSpace): number {
  return createGrid(space).size;
}

export function gridPointAt(space: SearchSpace, index: number): FlatParams {
  return createGrid(space).pointAt(index);
}

export function gridIndexOf(space: SearchSpace, params: FlatParams): number | null {
  return createGrid(space).indexOf(params);
}
