#!/usr/bin/env node
// The `sweep` command. The CLI is compiled TypeScript (npm run build writes dist/).
import { hideBin } from "yargs/helpers";

let main;
try {
  ({ main } = await import("../dist/src/cli/main.js"));
} catch (error) {
  if (error && error.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/src/cli/main.js")) {
    process.stderr.write("sweep: not built yet; run `npm run build` first\n");
    process.exit(1);
  }
  throw error;
}
// `sweep show ID | head`: the reader closed the pipe. What was asked is done as far as anyone listens; a write
// error on the terminal streams is never a crash (a running sweep logs it and goes on, see runner/session.ts).
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
process.exitCode = await main(hideBin(process.argv));
