/** Number formatting for messages and `describeSpace`: short, and in the notation people write in sweep files. */

/** `1e-5`, `0.001`, `32`, `2.5e+6` -> `2.5e6`: at most 6 significant digits, exponent form when tiny or huge. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return "0";
  const abs = Math.abs(n);
  if (abs < 1e-3 || abs >= 1e7) {
    return Number(n.toPrecision(6))
      .toExponential()
      .replace("e+", "e");
  }
  return String(Number(n.toPrecision(6)));
}
