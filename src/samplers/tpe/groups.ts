/**
 * Which parameters are modelled jointly. In a conditional or nested space a parameter exists only in some
 * trials; a joint kernel over parameters that never co-occur has nothing to fit. Group decomposition puts
 * parameters together exactly when they occur in the same trials: the finest partition such that every
 * trial's parameter set is a union of groups.
 */

/**
 * @param present row-major rows × columns flags: present[r · columns + c] = 1 when row r has column c
 * @returns groups of column indices, each in ascending order, groups ordered by their first column
 */
export function decomposeGroups(present: Uint8Array, rows: number, columns: number): number[][] {
  const bySignature = new Map<string, number[]>();
  const groups: number[][] = [];
  const signature = new Uint8Array(rows);
  for (let c = 0; c < columns; c++) {
    for (let r = 0; r < rows; r++) signature[r] = present[r * columns + c]!;
    // One byte per trial: cheap to build even for 10,000 trials and a handful of parameters.
    const key = Buffer.from(signature.buffer, 0, rows).toString("latin1");
    const group = bySignature.get(key);
    if (group) group.push(c);
    else {
      const fresh = [c];
      bySignature.set(key, fresh);
      groups.push(fresh);
    }
  }
  return groups;
}
