/**
 * Seeded randomness. Every random choice of a sweep flows from one sweep seed, and each trial gets its own
 * stream derived from that seed and its number, so a trial's suggestion is the same whichever process asks
 * for it and however often the sweep was stopped and resumed.
 */
import { randomInt } from "node:crypto";
import seedrandom from "seedrandom";
import type { Rng } from "./types.js";

/** A uniform [0, 1) source; equal seeds give equal sequences (`1` and `"1"` are the same seed). */
export function createRng(seed: string | number): Rng {
  if (typeof seed === "number" && !Number.isFinite(seed)) {
    throw new Error(`RNG seed must be a finite number or a string, got ${String(seed)}`);
  }
  // seedrandom's default generator (ARC4) mixes the whole seed string into its key schedule, so seeds that
  // differ in one character give unrelated streams; that is what deriveSeed relies on.
  const prng = seedrandom(String(seed));
  return () => prng();
}

/**
 * The seed of trial `trialNumber`'s RNG. A pure function of its two arguments: no counters, no process
 * state, so it can be recomputed by any agent at any time.
 */
export function deriveSeed(sweepSeed: number, trialNumber: number): string {
  if (!Number.isSafeInteger(sweepSeed)) {
    throw new Error(`sweep seed must be an integer, got ${String(sweepSeed)}`);
  }
  if (!Number.isSafeInteger(trialNumber) || trialNumber < 0) {
    throw new Error(`trial number must be a non-negative integer, got ${String(trialNumber)}`);
  }
  return `sweep:${sweepSeed}/trial:${trialNumber}`;
}

/** A fresh 32-bit seed from the OS's CSPRNG, for sweeps without one; it is stored so the sweep can be replayed. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32);
}
