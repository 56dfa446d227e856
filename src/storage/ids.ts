/** Sweep ids and timestamps, shared by every backend so records look the same whichever one wrote them. */
import { randomInt } from "node:crypto";

const BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";
export const GENERATED_SWEEP_ID_LENGTH = 8;

/**
 * A fresh sweep id: 8 lowercase base-36 characters (like W&B), about 41 bits of entropy. Drawn from the
 * crypto RNG rather than Math.random so two processes started in the same millisecond do not collide;
 * callers still retry on the (rare) collision with an existing id.
 */
export function generateSweepId(): string {
  let id = "";
  for (let i = 0; i < GENERATED_SWEEP_ID_LENGTH; i++) id += BASE36[randomInt(BASE36.length)];
  return id;
}

/** How many fresh ids to try before concluding something is wrong (e.g. a broken RNG). */
export const MAX_SWEEP_ID_ATTEMPTS = 20;

/** Now as ISO-8601 UTC with milliseconds (`2025-01-31T12:34:56.789Z`); sorts correctly as text. */
export function nowIso(): string {
  return new Date().toISOString();
}
