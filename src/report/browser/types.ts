/**
 * The JSON the server hands the page (src/report/sweep-view.ts), as the browser sees it. Declared again
 * here because these scripts are compiled apart from the server code (no imports in the page).
 */
type TrialStatus = "queued" | "running" | "completed" | "pruned" | "failed" | "interrupted";

interface NumericAxis { name: string; kind: "numeric"; log: boolean; low: number; high: number }
interface CategoricalAxis { name: string; kind: "categorical"; categories: string[] }
type ParamAxis = NumericAxis | CategoricalAxis;

interface TrialView {
  number: number;
  status: TrialStatus;
  value: number | null;
  params: Record<string, unknown>;
  attempt: number;
  gpus: string | null;
  worker: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
  pruneStep: number | null;
  pruneReason: string | null;
  error: string | null;
  waitingFor: string | null;
  curves?: Record<string, [number, number][]>;
}

interface ImportanceEntry { name: string; importance: number; effect: number | null; bestCategory: string | null }
type ImportanceView =
  | { method: string; preliminary: boolean; entries: ImportanceEntry[]; note: string; unavailable?: undefined }
  | { method: string; unavailable: string };

interface SweepView {
  format: number;
  sweep: {
    id: string; name: string | null; method: string; status: string; trials: number; runCap: number | null;
    best: { number: number; value: number } | null; createdAt: string; updatedAt: string; stale?: boolean;
  };
  metric: { name: string; goal: "maximize" | "minimize" } | null;
  counts: Record<TrialStatus, number>;
  axes: ParamAxis[];
  paramNames: string[];
  metricNames: string[];
  modelKey: string | null;
  importance: ImportanceView | null;
  readAt: string;
  trials: TrialView[];
}
