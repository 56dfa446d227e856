/**
 * The browser side of the report and the dashboard (src/report/browser/, compiled by `npm run build` into
 * one plain script beside this module), read once and inlined into every page: nothing is fetched at run
 * time, and the report file works offline.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | null = null;

export function browserScript(): string {
  if (cached === null) {
    const file = findScript();
    if (!file) throw new Error("the report's browser script (dist/src/report/browser/app.js) is missing; run `npm run build`");
    cached = readFileSync(file, "utf8");
  }
  return cached;
}

/** Beside this module (dist/src/report/browser/app.js), else in the package's dist/ (a build in another folder). */
function findScript(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, "browser", "app.js");
  if (existsSync(beside)) return beside;
  for (let at = here; dirname(at) !== at; at = dirname(at)) {
    const candidate = join(at, "dist", "src", "report", "browser", "app.js");
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
