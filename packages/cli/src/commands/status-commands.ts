import type { Command } from 'commander';
import type { Platform, StatusUpdate } from '@statusync/sdk';
import { contextFrom, type GlobalOptions } from '../context';
import { formatMinutes, parseDuration } from '../duration';
import { followUpdate } from '../follow';
import { table } from '../output';

const PLATFORMS = ['github', 'slack'];
type Globals = () => GlobalOptions;

/** `--only slack` or `--only github,slack`. */
export function parsePlatforms(value: string, previous: Platform[] = []): Platform[] {
  return [...previous, ...value.split(',').map((p) => p.trim().toLowerCase() as Platform)];
}

const describe = (update: { emoji: string | null; message: string | null } | null | undefined) =>
  update ? [update.emoji, update.message].filter(Boolean).join(' ') || '(cleared)' : '(none)';

export function registerStatusCommands(program: Command, globals: Globals): void {
  program
    .command('busy')
    .description('Apply the "busy" preset, e.g. `statusync busy 45m`')
    .argument('[duration]', 'how long: 45m, 1h30m, 2h')
    .option('-m, --message <text>', 'a message instead of the preset\'s')
    .option('--only <platforms>', `only these platforms (${PLATFORMS.join(', ')})`, parsePlatforms)
    .option('--no-wait', 'do not wait for the platforms to answer')
    .action(async (duration: string | undefined, options: { message?: string; only?: Platform[]; wait: boolean }) => {
      const context = contextFrom(globals());
      const minutes = duration ? parseDuration(duration) : undefined;
      const accepted = await context.client.status.preset('busy', { minutes, message: options.message, platforms: options.only });
      await followUpdate(context, accepted, minutes ? `Busy for ${formatMinutes(minutes)}` : 'Busy', options.wait);
    });

  program
    .command('set')
    .description('Set a status, e.g. `statusync set ":coffee:" "Taking a break" --for 15m --only slack`')
    .argument('<emoji>', 'a :shortcode: or an emoji ("" for none)')
    .argument('[message]', 'the message')
    .option('--for <duration>', 'expire after: 15m, 1h30m')
    .option('--only <platforms>', `only these platforms (${PLATFORMS.join(', ')})`, parsePlatforms)
    .option('--busy', 'show as busy (limited availability on GitHub)')
    .option('--no-wait', 'do not wait for the platforms to answer')
    .action(async (emoji: string, message: string | undefined, options: { for?: string; only?: Platform[]; busy?: boolean; wait: boolean }) => {
      const context = contextFrom(globals());
      const durationMinutes = options.for ? parseDuration(options.for) : undefined;
      const fields = { durationMinutes, platforms: options.only, limitedAvailability: options.busy };
      const accepted = emoji ? await context.client.status.update({ ...fields, emoji, message }) : await context.client.status.update({ ...fields, message: message ?? '' });
      await followUpdate(context, accepted, 'Status set', options.wait);
    });

  program
    .command('clear')
    .description('Clear the status')
    .option('--only <platforms>', `only these platforms (${PLATFORMS.join(', ')})`, parsePlatforms)
    .option('--no-wait', 'do not wait for the platforms to answer')
    .action(async (options: { only?: Platform[]; wait: boolean }) => {
      const context = contextFrom(globals());
      const accepted = await context.client.status.clear(options.only ? { platforms: options.only } : {});
      await followUpdate(context, accepted, 'Cleared', options.wait);
    });

  program
    .command('status')
    .description('The status last requested, and what each platform shows')
    .action(async () => {
      const { client, out } = contextFrom(globals());
      const current = await client.status.current();
      const rows = Object.entries(current.platforms).map(([platform, view]) => [platform, view.accountName, view.connection, describe(view.applied), view.applied?.expiresAt ?? '']);
      const requested = current.requested;
      const head = `Requested: ${describe(requested)}${requested ? ` (${requested.state.replace('_', ' ')}${requested.expiresAt ? `, until ${requested.expiresAt}` : ''})` : ''}`;
      out.print(`${head}\n\n${table(['PLATFORM', 'ACCOUNT', 'CONNECTION', 'APPLIED', 'EXPIRES'], rows)}`, current);
    });

  program
    .command('history')
    .description('Past updates, newest first')
    .option('-n, --limit <count>', 'how many', (v) => Number(v), 20)
    .action(async (options: { limit: number }) => {
      const { client, out } = contextFrom(globals());
      const items: StatusUpdate[] = [];
      for await (const page of client.history.list({ limit: Math.min(100, options.limit) })) {
        items.push(...page.items);
        if (items.length >= options.limit) break;
      }
      const shown = items.slice(0, options.limit);
      const rows = shown.map((u) => [u.requestedAt, u.kind, describe(u), u.state.replace('_', ' '), Object.keys(u.platforms).join(',')]);
      out.print(table(['REQUESTED', 'KIND', 'STATUS', 'STATE', 'PLATFORMS'], rows), shown);
    });
}
