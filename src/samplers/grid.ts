/**
 * Grid search: the first grid point no trial of the sweep holds yet, in grid order.
 *
 * The sampler runs under the storage's write lock with every trial of the sweep, so agents in several
 * processes see each other's claims and never hand out a point twice. A trial holds a point when its
 * `meta.gridIndex` names that point and its params still equal it, or — for trials enqueued by hand, or
 * recorded before the sweep file was edited — when its params equal the point. Trials of every status
 * count: a failed point is retried by re-queueing its trial, not by suggesting it again.
 */
import { createGrid, type Grid } from "../space/grid.js";
import type { SearchSpace } from "../space/types.js";
import type { Sampler, SamplerContext, Suggestion, TrialView } from "./types.js";

export class GridSampler implements Sampler {
  readonly name = "grid";
  /** Building a grid checks every axis; the space object of a sweep does not change, so keep it. */
  private readonly grids = new WeakMap<SearchSpace, Grid>();

  private gridFor(space: SearchSpace): Grid {
    let grid = this.grids.get(space);
    if (!grid) {
      grid = createGrid(space);
      this.grids.set(space, grid);
    }
    return grid;
  }

  suggest(ctx: SamplerContext): Suggestion {
    const grid = this.gridFor(ctx.space);
    const used = new Set<number>();
    for (const trial of ctx.trials) {
      const index = heldIndex(grid, trial);
      if (index !== null) used.add(index);
    }
    // Every used index is below grid.size, so a free one exists iff used.size < grid.size, and the first
    // free one is at most used.size: the scan is O(trials), not O(grid size).
    if (used.size < grid.size) {
      let index = 0;
      while (used.has(index)) index++;
      return { params: grid.pointAt(index), meta: { gridIndex: index } };
    }
    return {
      exhausted: true,
      reason: `grid exhausted: all ${grid.size} points have been suggested (${ctx.trials.length} trials in the sweep)`,
    };
  }
}

/**
 * The grid point a trial holds, or null. The recorded index wins when it is consistent with the params:
 * that keeps duplicate values of a categorical list apart (equal params, different points). Otherwise the
 * params decide, so a stale index from an edited sweep file never blocks a point it no longer means.
 */
function heldIndex(grid: Grid, trial: TrialView): number | null {
  const recorded = trial.meta["gridIndex"];
  if (typeof recorded === "number" && grid.matches(recorded, trial.params)) return recorded;
  return grid.indexOf(trial.params);
}
