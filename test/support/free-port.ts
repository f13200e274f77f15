import { createServer } from 'node:net';

/**
 * Each Jest worker takes its ports from a block of its own, below the OS's ephemeral range (32768 and up on Linux)
 * and below the random ports of the local Redis Cluster (20000 and up). A port the OS hands out for `listen(0)` can
 * be handed to two workers in turn: one file's gateway then answered another file's readiness check while the
 * file's own gateway was still booting, found the port taken and exited, and the file's requests went to the other
 * file's gateway (CI, stop 17: "bad_credentials" from a fake that had never seen the token).
 */
const FIRST_PORT = 10_000;
const PORTS_PER_WORKER = 1_000;
const WORKER_BLOCKS = 10;
let nextInBlock = 0;

/** A port no other Jest worker hands out and that can be bound right now. */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID ?? 0) % WORKER_BLOCKS;
  for (let tried = 0; tried < PORTS_PER_WORKER; tried++) {
    const port = FIRST_PORT + worker * PORTS_PER_WORKER + (nextInBlock++ % PORTS_PER_WORKER);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in Jest worker ${worker}'s block`);
}

/** Whether `port` can be bound on 127.0.0.1 right now. */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
