/**
 * Trial log files with a size cap, and an in-memory tail of stderr for error messages.
 *
 * A trainer stuck in a print loop must not fill the disk, so after `capBytes` the file gets one marker line
 * and further output is counted but dropped. Metrics on stdout are still decoded (that happens upstream).
 */
import { createWriteStream, type WriteStream } from "node:fs";

/** 50 MiB per stream per attempt: plenty for a training log, small enough to never matter. */
export const DEFAULT_LOG_CAP_BYTES = 50 * 1024 * 1024;

export class CappedLogFile {
  private readonly stream: WriteStream;
  private written = 0;
  private dropped = 0;

  constructor(
    readonly path: string,
    private readonly capBytes: number = DEFAULT_LOG_CAP_BYTES,
  ) {
    this.stream = createWriteStream(path, { flags: "a" });
    // A full disk must not crash the controller; the trial still runs, its log is simply incomplete.
    this.stream.on("error", () => undefined);
  }

  write(chunk: Buffer): void {
    const room = this.capBytes - this.written;
    if (room <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.stream.write(part);
    this.written += part.length;
    if (part.length < chunk.length) {
      this.dropped += chunk.length - part.length;
      this.stream.write(`\n[sweep: log capped at ${this.capBytes} bytes; further output is dropped]\n`);
    }
  }

  /** Bytes not written because of the cap. */
  get droppedBytes(): number {
    return this.dropped;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.dropped > 0) this.stream.write(`[sweep: ${this.dropped} bytes dropped]\n`);
      this.stream.end(() => resolve());
    });
  }
}

/** Keeps the last `maxBytes` of a stream (stderr), for "what went wrong" in the trial record. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes = 4096) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.maxBytes && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  /** The last `maxLines` non-empty lines, at most `maxBytes`, starting at a line boundary when possible. */
  text(maxLines = 20): string {
    let text = Buffer.concat(this.chunks).toString("utf8");
    if (text.length > this.maxBytes) {
      text = text.slice(text.length - this.maxBytes);
      const nl = text.indexOf("\n");
      if (nl !== -1 && nl < text.length - 1) text = text.slice(nl + 1);
    }
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
    return lines.slice(-maxLines).join("\n");
  }
}
