/**
 * Options of the search algorithm (`sweep.sampler`) and the early-termination rule (`sweep.pruner`,
 * `early_terminate`) are checked by the algorithms themselves, which own them; this turns their errors into
 * positioned diagnostics, so `sweep validate` reports them and a bad file is rejected before anything is
 * stored.
 */
import type { Node } from "yaml";
import { createPruner, PrunerConfigError } from "../pruners/index.js";
import { createSampler } from "../samplers/index.js";
import type { Checker } from "./checker.js";
import type { SweepConfig } from "./types.js";

export function checkAlgorithmOptions(c: Checker, config: SweepConfig): void {
  try {
    createSampler(config.method, config.sweep.sampler);
  } catch (error) {
    const path = "sweep.sampler";
    c.error(nodeAt(c, path), path, messageOf(error), { expected: `valid options for method "${config.method}" (docs/tpe.md, docs/samplers.md)` });
  }
  try {
    createPruner(config);
  } catch (error) {
    if (error instanceof PrunerConfigError) {
      c.error(nodeAt(c, error.path), error.path, `expected ${error.expected}, found ${error.found}`, {
        expected: error.expected,
        found: error.found,
      });
    } else {
      const path = config.sweep.pruner !== undefined ? "sweep.pruner" : "early_terminate";
      c.error(nodeAt(c, path), path, messageOf(error));
    }
  }
}

/** The deepest node that exists along a dotted key path, for the diagnostic's position. */
function nodeAt(c: Checker, path: string): Node | number {
  const keys = path.split(".");
  for (let n = keys.length; n > 0; n--) {
    const node = c.source.doc.getIn(keys.slice(0, n), true) as Node | undefined;
    if (node && typeof node === "object" && "range" in node) return node;
  }
  return 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
