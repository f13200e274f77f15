import type { Command } from 'commander';
import { createStatusyncClient, type Schemas } from '@statusync/sdk';
import { saveConfig } from '../config';
import { contextFrom, type GlobalOptions } from '../context';
import { CliError, EXIT } from '../errors';
import { followUpdate } from '../follow';
import { createOutput, table } from '../output';

type Globals = () => GlobalOptions;
type Member = Schemas['MemberAvailabilityView'];

const memberRow = (m: Member) => [m.subject, m.availability, [m.emoji, m.message].filter(Boolean).join(' '), m.until ?? '', m.agree ? 'yes' : 'no'];

export function registerOtherCommands(program: Command, globals: Globals): void {
  program
    .command('login')
    .description('Save the API URL and a token (checked first) in your config dir, readable by you only')
    .option('--url <url>', 'the gateway, e.g. https://statusync.example.com')
    // --token is the program's own option (it may stand anywhere on the line), read here through globals().
    .action(async (options: { url?: string }) => {
      const { json, token, apiUrl } = globals();
      const url = options.url ?? apiUrl;
      if (!url || !token) throw new CliError('login needs --url <API URL> and --token <JWT>', EXIT.usage);
      const out = createOutput(Boolean(json));
      const me = await createStatusyncClient({ baseUrl: url, token }).me.get();
      const file = saveConfig({ apiUrl: url, token });
      out.print(`Logged in to ${url} as ${me.subject}${me.orgId ? ` (${me.orgId}, ${me.role})` : ''}; saved in ${file}`, { apiUrl: url, subject: me.subject, configFile: file });
    });

  const templates = program.command('templates').description('Your templates and presets');
  templates
    .command('ls')
    .description('The presets in effect: your templates, your org\'s, and the built-in ones')
    .action(async () => {
      const { client, out } = contextFrom(globals());
      const presets = await client.status.presets();
      const rows = presets.map((p) => [p.name, p.source, [p.emoji, p.message].filter(Boolean).join(' '), p.durationMinutes ? `${p.durationMinutes} min` : (p.until ?? '')]);
      out.print(table(['NAME', 'SOURCE', 'STATUS', 'LASTS'], rows), presets);
    });
  templates
    .command('apply')
    .description('Apply a template or preset by name (any case)')
    .argument('<name>')
    .option('--no-wait', 'do not wait for the platforms to answer')
    .action(async (name: string, options: { wait: boolean }) => {
      const context = contextFrom(globals());
      await followUpdate(context, await context.client.status.preset(name), `Applied "${name}"`, options.wait);
    });

  program
    .command('team')
    .description("A team's availability, by team name")
    .argument('<name>')
    .action(async (name: string) => {
      const { client, out } = contextFrom(globals());
      const team = (await client.teams.list()).items.find((t) => t.name.toLowerCase() === name.toLowerCase());
      if (!team) throw new CliError(`No team named "${name}" in your organisation (statusync team needs an org JWT)`, EXIT.apiError);
      const members: Member[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.teams.availability(team.id, { cursor });
        members.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      out.print(`${team.name} (${members.length} members)\n\n${table(['MEMBER', 'AVAILABILITY', 'STATUS', 'UNTIL', 'AGREE'], members.map(memberRow))}`, { team, members });
    });

  program
    .command('watch')
    .description('Follow your updates live (Ctrl-C to stop); --team NAME follows a team instead')
    .option('--team <name>', 'a team, by name')
    .action(async (options: { team?: string }) => {
      const { client, out } = contextFrom(globals());
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      process.once('SIGTERM', () => controller.abort());
      let events;
      if (options.team) {
        const team = (await client.teams.list()).items.find((t) => t.name.toLowerCase() === options.team!.toLowerCase());
        if (!team) throw new CliError(`No team named "${options.team}"`, EXIT.apiError);
        events = client.teams.stream(team.id, { signal: controller.signal });
      } else {
        events = client.status.stream({ signal: controller.signal });
      }
      if (!out.json) process.stderr.write('Watching (Ctrl-C to stop)…\n');
      for await (const event of events) {
        const data = event.data as Record<string, unknown>;
        const human = options.team
          ? `${event.event}: ${memberRow(data as unknown as Member).join('  ')}`
          : `${event.event}: ${[data.platform, data.state, data.emoji, data.message, data.errorCode].filter((v) => v !== undefined && v !== null).join(' ')} (${String(data.updateId ?? '')})`;
        out.print(human, { event: event.event, id: event.id, data });
      }
    });
}
