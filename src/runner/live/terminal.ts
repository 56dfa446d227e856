/**
 * The live view on a terminal: the block of layout.ts redrawn in place at the bottom, with finished trials
 * and notices printed above it so they scroll away like a log while the block stays put.
 *
 * Drawing is `log-update`'s (it erases exactly the lines it drew last time and writes the new frame).
 * The cursor stays visible: hiding it would make log-update load `cli-cursor`, whose restore hook
 * (signal-exit) adds its own SIGINT/SIGTERM/SIGHUP handlers beside the controller's, and the controller's
 * signal handling (drain on the first Ctrl-C, ignore SIGHUP) must stay the only one.
 */
import { eraseLines } from "ansi-escapes";
import { createLogUpdate } from "log-update";
import { escapeControl } from "../../terminal-text.js";
import type { ProgressReporter, RunnerEvent } from "../progress.js";
import { finishedLine, formatBest, formatCounts, formatDuration, noticeText } from "./format.js";
import { renderLiveBlock } from "./layout.js";
import { LiveState, progressFigures } from "./state.js";
import { displayWidth } from "./text-width.js";

/** A terminal stream: process.stderr, or a stand-in in tests. */
export interface LiveStream {
  write(text: string): unknown;
  readonly columns?: number;
  readonly rows?: number;
  on?(event: "resize", listener: () => void): unknown;
  off?(event: "resize", listener: () => void): unknown;
}

export interface LiveTerminalOptions {
  /** Redraw period (the elapsed times tick, metric reports show up): default 1 s. */
  readonly refreshMs?: number;
  /** Applied to everything written (hides secret values). */
  readonly filter?: (text: string) => string;
  readonly now?: () => number;
}

const DEFAULT_COLUMNS = 100;
const DEFAULT_ROWS = 40;
/** Metric reports redraw at most this often between timer ticks. */
const METRIC_REDRAW_MS = 250;

export class LiveTerminalReporter implements ProgressReporter {
  private readonly state = new LiveState();
  private readonly frame: ReturnType<typeof createLogUpdate>;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly filter: (text: string) => string;
  /** The frame on screen (its lines) and the width it was laid out for: what a resize must erase. */
  private shown: string[] = [];
  private shownWidth = 0;
  private lastDraw = 0;
  private ended = false;
  private readonly onResize = () => this.resized();

  constructor(
    private readonly stream: LiveStream,
    options: LiveTerminalOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.filter = options.filter ?? ((t) => t);
    const filter = this.filter;
    // log-update reads the size on every frame: the getters follow the terminal.
    const out = {
      write: (text: string) => void stream.write(filter(text)),
      get columns() {
        return stream.columns ?? DEFAULT_COLUMNS;
      },
      get rows() {
        return stream.rows ?? DEFAULT_ROWS;
      },
    };
    this.frame = createLogUpdate(out as unknown as NodeJS.WriteStream, { showCursor: true });
    this.timer = setInterval(() => this.draw(), options.refreshMs ?? 1000);
    this.timer.unref();
    // A TTY stream emits 'resize' on SIGWINCH, after updating its columns and rows.
    stream.on?.("resize", this.onResize);
  }

  private get columns(): number {
    return this.stream.columns ?? DEFAULT_COLUMNS;
  }

  emit(e: RunnerEvent): void {
    if (this.ended) return;
    const now = this.now();
    this.state.apply(e, now);
    switch (e.type) {
      case "trial_metrics":
        if (now - this.lastDraw >= METRIC_REDRAW_MS) this.draw();
        return;
      case "trial_finished":
        this.printAbove(finishedLine(e));
        break;
      case "notice":
        this.printAbove(noticeText(e));
        break;
      case "sweep_finished":
        this.finish(e);
        return;
      default:
        break;
    }
    this.draw();
  }

  /** A line (or a multi-line notice) written above the block, into the scrollback. */
  private printAbove(text: string): void {
    this.frame.clear();
    this.shown = [];
    this.stream.write(this.filter(`${escapeControl(text, { keepLayout: true })}\n`));
  }

  private draw(): void {
    if (this.ended || this.state.sweepId === null) return;
    const now = this.now();
    const lines = renderLiveBlock(this.state, { columns: this.columns, rows: this.stream.rows ?? DEFAULT_ROWS, now });
    this.frame(lines.join("\n"));
    this.shown = lines;
    this.shownWidth = this.columns;
    this.lastDraw = now;
  }

  /**
   * A narrower terminal re-wraps the block drawn for the old width (tmux, VTE, iTerm2 and kitty reflow
   * lines), so it now takes more rows than log-update drew: those rows are erased here before the block is
   * laid out again for the new width.
   */
  private resized(): void {
    if (this.ended) return;
    const columns = this.columns;
    if (this.shown.length > 0 && columns < this.shownWidth) {
      const rows = this.shown.reduce((n, line) => n + Math.max(1, Math.ceil(displayWidth(line) / columns)), 0);
      this.stream.write(this.filter(eraseLines(rows + 1)));
      this.frame.done(); // forget the old frame: it is gone already
      this.shown = [];
    }
    this.draw();
  }

  /** The block goes; the summary stays: reason, counts, time, and the best trial with every parameter. */
  private finish(e: Extract<RunnerEvent, { type: "sweep_finished" }>): void {
    this.frame.clear();
    this.frame.done();
    this.ended = true;
    const f = progressFigures(this.state, this.now());
    const of = f.total === null ? `${f.done} done` : `${f.done} of ${f.total} done`;
    const text = `sweep ${e.sweepId} ended: ${e.reason}; ${of}: ${formatCounts(e.tally.counts)}; elapsed ${formatDuration(f.elapsedMs)}\n${formatBest(e.tally)}\n`;
    this.stream.write(this.filter(escapeControl(text, { keepLayout: true })));
  }

  close(): void {
    clearInterval(this.timer);
    this.stream.off?.("resize", this.onResize);
    if (!this.ended) {
      // Closed without an end (the controller failed): leave the last frame on screen, and the cursor below it.
      this.frame.done();
    }
  }
}
