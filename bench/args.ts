/** Command-line options of the bench entry points (`--name value`): the pruning bench, its ceiling, gp-tune. */

/** `--name N`, a positive integer, or `fallback` when absent. */
export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} expects a positive integer, got ${JSON.stringify(process.argv[index + 1])}`);
  return value;
}

/** `--name text`, or undefined when absent. */
export function textArgument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? undefined : process.argv[index + 1];
}
