/**
 * A distinct rendezvous port for every trial this controller runs (MASTER_PORT, trial-env.ts).
 *
 * torch.distributed and torchrun default to port 29500: two multi-GPU trials on one host would meet on it,
 * and the second fails with "address already in use" or, worse, joins the first one's group. The port comes
 * from the OS (bind to port 0, read the port, close), so it is free at that moment and outside the range a
 * user is likely to have fixed; this controller never hands out a port that one of its running trials holds.
 * Between our close and the trainer's bind another program could take it: a window of milliseconds, the
 * same one torchrun's own `--master-port=0` has.
 */
import { createServer } from "node:net";

const TRIES = 20;

export class PortPicker {
  private readonly inUse = new Set<number>();

  async take(): Promise<number> {
    for (let i = 0; i < TRIES; i++) {
      const port = await ephemeralPort();
      if (!this.inUse.has(port)) {
        this.inUse.add(port);
        return port;
      }
    }
    throw new Error(`no free TCP port for MASTER_PORT after ${TRIES} tries`);
  }

  release(port: number): void {
    this.inUse.delete(port);
  }
}

/** A TCP port nothing listens on right now on 127.0.0.1, as the OS picks it (also used by the tests' servers). */
export function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("the OS gave no port"))));
    });
  });
}
