/**
 * Limited-memory BFGS (Nocedal & Wright, Alg. 7.4/7.5) with a backtracking Armijo line search, for the
 * handful of smooth, unconstrained log-hyperparameters of the GP. Minimises; the caller negates to
 * maximise. Bounds are expressed by the objective returning Infinity outside them: the line search then
 * backtracks, which is all the few box limits here need.
 */

export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsSettings {
  readonly maxIterations: number;
  /** Stop when the gradient's largest component is below this. */
  readonly gradientTolerance: number;
  /** Stop when an iteration improves f by less than this (relative to max(1, |f|)). */
  readonly relativeTolerance: number;
  /** Pairs kept for the inverse-Hessian estimate. */
  readonly memory: number;
}

/**
 * The log posterior is in nats: changes of 1e-6 relative or gradients of 1e-3 move the hyperparameters by
 * far less than the data can tell apart, and stopping there halves the evaluations of tighter settings.
 */
export const LBFGS_DEFAULTS: LbfgsSettings = { maxIterations: 50, gradientTolerance: 1e-3, relativeTolerance: 1e-7, memory: 6 };

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly evaluations: number;
}

export function minimizeLbfgs(f: Objective, start: Float64Array, settings: LbfgsSettings = LBFGS_DEFAULTS): LbfgsResult {
  const n = start.length;
  let x = Float64Array.from(start);
  let g = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  if (!Number.isFinite(fx)) return { x, value: fx, evaluations };
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const direction = new Float64Array(n);
  const alphas = new Float64Array(settings.memory);
  const xNew = new Float64Array(n);
  let gNew = new Float64Array(n);

  for (let iter = 0; iter < settings.maxIterations; iter++) {
    if (maxAbs(g) < settings.gradientTolerance) break;
    // Two-loop recursion: direction = -H g.
    for (let i = 0; i < n; i++) direction[i] = -g[i]!;
    for (let m = sHist.length - 1; m >= 0; m--) {
      const a = rhoHist[m]! * dot(sHist[m]!, direction);
      alphas[m] = a;
      axpy(-a, yHist[m]!, direction);
    }
    if (sHist.length > 0) {
      const last = sHist.length - 1;
      const gamma = dot(sHist[last]!, yHist[last]!) / dot(yHist[last]!, yHist[last]!);
      for (let i = 0; i < n; i++) direction[i]! *= gamma;
    } else {
      // First step: at most a unit move in the largest coordinate.
      const scale = 1 / Math.max(1, maxAbs(g));
      for (let i = 0; i < n; i++) direction[i]! *= scale;
    }
    for (let m = 0; m < sHist.length; m++) {
      const b = rhoHist[m]! * dot(yHist[m]!, direction);
      axpy(alphas[m]! - b, sHist[m]!, direction);
    }
    let slope = dot(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction (curvature estimate gone bad): restart from steepest descent.
      sHist.length = yHist.length = rhoHist.length = 0;
      const scale = 1 / Math.max(1, maxAbs(g));
      for (let i = 0; i < n; i++) direction[i] = -g[i]! * scale;
      slope = dot(g, direction);
    }
    // Backtracking line search (Armijo, c = 1e-4).
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * direction[i]!;
      fNew = f(xNew, gNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(Number.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope)) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (sHist.length === settings.memory) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
    }
    const improvement = fx - fNew;
    x = Float64Array.from(xNew);
    const swap = g;
    g = gNew;
    gNew = swap;
    fx = fNew;
    if (improvement < settings.relativeTolerance * Math.max(1, Math.abs(fx))) break;
  }
  return { x, value: fx, evaluations };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
