import type { Schemas, ServerSentEvent } from '@statusync/sdk';
import { client } from './client.js';
import { byId, el, formatTime, statusText } from './dom.js';
import { followStream } from './sse.js';

/** A member's row as the availability page and the team stream give it. */
export type MemberAvailability = Schemas['MemberAvailabilityView'];

const PAGE = 200;
const MAX_PAGES = 10;
/**
 * Over plain HTTP/1.1 a browser keeps at most six connections to one server, and each stream holds one:
 * my own stream plus this many teams leaves one for ordinary requests. Further teams are shown, not followed.
 */
export const MAX_LIVE_TEAMS = 4;

/** One member as a table row; the row is replaced whole when the member changes. */
function memberRow(member: MemberAvailability): HTMLTableRowElement {
  const platforms = Object.entries(member.platforms).map(([platform, view]) =>
    el('li', { class: `state-${view.state}` }, `${platform}: ${view.state === 'none' ? 'nothing yet' : `${statusText(view.emoji, view.message)} (${view.state})`}`),
  );
  return el(
    'tr',
    { 'data-subject': member.subject },
    el('th', { scope: 'row' }, member.subject),
    el('td', { class: 'availability' }, member.availability),
    el('td', {}, statusText(member.emoji, member.message), member.until ? ` until ${formatTime(member.until)}` : ''),
    el('td', {}, el('ul', {}, ...platforms)),
    el('td', { class: member.agree ? 'agree-yes' : 'agree-no' }, member.agree ? 'yes' : 'no'),
    el('td', {}, member.localTime.slice(11, 16)),
  );
}

async function membersOf(teamId: string): Promise<MemberAvailability[]> {
  const members: MemberAvailability[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await client.teams.availability(teamId, cursor ? { limit: PAGE, cursor } : { limit: PAGE });
    members.push(...answer.items);
    cursor = answer.nextCursor ?? null;
    if (!cursor) break;
  }
  return members;
}

/** Places `row` in subject order, replacing the member's previous row. */
function upsert(body: HTMLTableSectionElement, row: HTMLTableRowElement, subject: string): void {
  const rows = [...body.querySelectorAll<HTMLTableRowElement>('tr[data-subject]')];
  const existing = rows.find((candidate) => candidate.dataset.subject === subject);
  if (existing) return existing.replaceWith(row);
  const after = rows.find((candidate) => (candidate.dataset.subject ?? '') > subject);
  body.insertBefore(row, after ?? null);
}

/**
 * My teams, each a table of its members, then kept current from the team's stream: a teammate's change
 * replaces their row, without reloading anything else. Returns a function that stops the streams.
 */
export async function renderTeams(): Promise<() => void> {
  const { items: teams } = await client.teams.list();
  byId('teams-empty').hidden = teams.length > 0;
  const container = byId('teams');
  const streams: { close(): void }[] = [];
  const sections = await Promise.all(
    teams.map(async (team, index) => {
      const body = el('tbody');
      for (const member of await membersOf(team.id)) body.append(memberRow(member));
      const state = el('p', { class: 'hint', 'data-stream-state': 'connecting' }, 'Connecting…');
      const head = el('thead', {}, el('tr', {}, ...['Member', 'Availability', 'Status', 'Per platform', 'Platforms agree', 'Local time'].map((title) => el('th', { scope: 'col' }, title))));
      const titleId = `team-${team.id}`;
      const section = el('section', { 'aria-labelledby': titleId, 'data-team': team.id }, el('h3', { id: titleId }, team.name), state, el('table', {}, el('caption', {}, `${team.name}: availability`), head, body));
      if (index >= MAX_LIVE_TEAMS) {
        state.dataset.streamState = 'stopped';
        state.textContent = `Not live (only the first ${MAX_LIVE_TEAMS} teams are followed); reload the page to refresh.`;
        return section;
      }
      streams.push(
        followStream({
          open: (options) => client.teams.stream(team.id, options),
          onEvent: (event: ServerSentEvent) => {
            // Back after a long break (the stream no longer holds what was missed): read the whole team again.
            if (event.event === 'resync') void membersOf(team.id).then((members) => body.replaceChildren(...members.map(memberRow)));
            if (event.event !== 'availability') return;
            const member = event.data as MemberAvailability;
            upsert(body, memberRow(member), member.subject);
          },
          onState: (value, detail) => {
            state.dataset.streamState = value;
            state.textContent = value === 'open' ? 'Live.' : `${value}${detail ? ` (${detail})` : ''}…`;
          },
        }),
      );
      return section;
    }),
  );
  container.replaceChildren(...sections);
  return () => streams.forEach((stream) => stream.close());
}
