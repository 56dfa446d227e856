/**
 * `sweep report`: one self-contained HTML file for a sweep, with the same interactive views as the live
 * dashboard (src/report/browser/): optimization history, importance with the direction of each effect,
 * parallel coordinates with brushing, slices, contour, learning curves by model, the GPU timeline, the
 * per-model comparison and a sortable, filterable table of every trial. The sweep's data travels inside
 * the file as JSON; nothing is fetched, so it opens offline and can be mailed or archived.
 */
import type { SweepData } from "./data.js";
import { explorerPage } from "./explorer-page.js";
import { sweepView } from "./sweep-view.js";

export interface ReportOptions {
  /** The time the report is "read at" (running trials end there); default now. Fixed in tests so two renders compare equal. */
  readonly generatedAt?: Date;
}

export function renderReport(data: SweepData, options: ReportOptions = {}): string {
  const title = data.sweep.name ?? `sweep ${data.sweep.id}`;
  const view = sweepView(data, (options.generatedAt ?? new Date()).toISOString());
  return explorerPage({ title: `${title} — sweep report`, view });
}
