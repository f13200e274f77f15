import { Command, CommanderError } from 'commander';
import { StatusyncError } from '@statusync/sdk';
import { registerOtherCommands } from './commands/other-commands';
import { registerStatusCommands } from './commands/status-commands';
import type { GlobalOptions } from './context';
import { CliError, EXIT } from './errors';

const program = new Command('statusync')
  .description('Set and watch your availability status on GitHub and Slack')
  .version('0.1.0')
  .option('--json', 'machine-readable output (one JSON document per line)')
  .option('--api-url <url>', 'the gateway (default: the saved login, or STATUSYNC_API_URL)')
  .option('--token <jwt>', 'a bearer JWT (default: the saved login, or STATUSYNC_TOKEN)')
  .showHelpAfterError()
  .exitOverride();

const globals = () => program.opts<GlobalOptions>();
registerStatusCommands(program, globals);
registerOtherCommands(program, globals);

/** One clear line on stderr (or a JSON error on stdout with --json) and an exit code that says what went wrong. */
function fail(error: unknown): never {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  const { message, code, problem } = describe(error);
  if (globals().json) process.stdout.write(JSON.stringify({ error: { message, exitCode: code, problem } }) + '\n');
  process.stderr.write(`statusync: ${message}\n`);
  process.exit(code);
}

function describe(error: unknown): { message: string; code: number; problem?: unknown } {
  if (error instanceof CliError) return { message: error.message, code: error.exitCode };
  if (error instanceof StatusyncError) {
    const fields = error.fieldErrors.map((f) => `\n  ${f.field}: ${f.reason}`).join('');
    const code = error.status === 401 ? EXIT.notLoggedIn : EXIT.apiError;
    const hint = error.status === 401 ? ' (log in again: statusync login)' : '';
    return { message: `${error.message}${hint}${fields}`, code, problem: error.problem };
  }
  // fetch's own failure (refused, DNS, TLS): a TypeError whose cause says why.
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { message: `cannot reach the API (${cause?.code ?? cause?.message ?? 'network error'})`, code: EXIT.unreachable };
  }
  return { message: error instanceof Error ? error.message : String(error), code: EXIT.apiError };
}

program.parseAsync(process.argv).catch(fail);
