/**
 * setTimeout for any delay. Node's timers hold at most 2^31-1 ms (24.8 days) and fire at once, with only a
 * warning, for anything longer: a `trial_timeout: 30d` would stop every trial the moment it started. Longer
 * delays are waited out in steps.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

export function longTimeout(callback: () => void, delayMs: number): LongTimer {
  let timer: NodeJS.Timeout;
  const due = Date.now() + Math.max(0, delayMs);
  const arm = () => {
    const left = due - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(callback, Math.max(0, left));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
