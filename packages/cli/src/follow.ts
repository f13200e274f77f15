import type { AcceptedUpdate, StatusUpdate } from '@statusync/sdk';
import type { Context } from './context';
import { CliError, EXIT } from './errors';

const MARK: Record<string, string> = { succeeded: '✓', failed: '✗', superseded: '↷', pending: '…' };

/** Per platform, one line: `✓ github  succeeded`, with the error code when it failed. */
export function describeDeliveries(update: StatusUpdate): string {
  return Object.entries(update.platforms)
    .map(([platform, delivery]) => `  ${MARK[delivery.state] ?? '?'} ${platform.padEnd(7)} ${delivery.state}${delivery.errorCode ? ` (${delivery.errorCode}: ${delivery.errorMessage ?? ''})` : ''}`)
    .join('\n');
}

/**
 * After a 202: shows a spinner until every platform answered, then the outcome per platform. A platform that failed
 * makes the command fail (exit 4), so `statusync busy 45m && …` only goes on when the status is really set.
 */
export async function followUpdate(context: Context, accepted: AcceptedUpdate, what: string, wait: boolean): Promise<void> {
  const { client, out } = context;
  if (!wait) {
    out.print(`${what}: accepted (${accepted.id})`, accepted);
    return;
  }
  const spinner = out.spinner(`${what}: waiting for ${Object.keys(accepted.platforms).join(' and ')}…`);
  let update: StatusUpdate;
  try {
    update = await client.status.settled(accepted.id, { timeoutMs: 120_000, pollMs: 250 });
  } finally {
    spinner.stop();
  }
  out.print(`${what}: ${update.state.replace('_', ' ')}\n${describeDeliveries(update)}`, update);
  if (update.state === 'pending') throw new CliError(`Still pending after 2 minutes; follow it with \`statusync status\``, EXIT.syncFailed);
  if (update.state !== 'succeeded') throw new CliError(`Not applied everywhere (${update.state.replace('_', ' ')})`, EXIT.syncFailed);
}
