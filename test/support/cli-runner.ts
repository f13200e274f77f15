import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(__dirname, '../../packages/cli/bin/statusync.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh HOME and XDG_CONFIG_HOME: the CLI's own config dir, as on a new machine. */
export function freshHome(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'statusync-cli-'));
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
}

const cliEnv = (home: Record<string, string>) => {
  const env: Record<string, string | undefined> = { ...process.env, ...home };
  delete env.STATUSYNC_API_URL;
  delete env.STATUSYNC_TOKEN;
  return env;
};

/** Starts the built CLI (packages/cli/bin/statusync.js) as a user would. */
export function spawnCli(args: string[], home: Record<string, string>): ChildProcess & { output: CliRun } {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(home), stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { output: CliRun };
  child.output = { code: null, stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (child.output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (child.output.stderr += chunk.toString()));
  return child;
}

/** Runs the CLI to its end. */
export function runCli(args: string[], home: Record<string, string>): Promise<CliRun> {
  const child = spawnCli(args, home);
  return new Promise((resolve) => child.on('close', (code) => resolve({ ...child.output, code })));
}

/** The stdout of a --json run, parsed (the last line: progress never goes to stdout). */
export const jsonOf = (run: CliRun) => JSON.parse(run.stdout.trim().split('\n').at(-1) ?? 'null');
