import { ConfigError } from '../config/config-error';

/** Starts a service; a failure to start exits with a one-line reason (the bad variable, for config errors). */
export function runMain(name: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    const reason = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${name} failed to start: ${reason}\n`);
    process.exit(1);
  });
}
