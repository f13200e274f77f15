import { client, describeError } from './client.js';
import { byId, el, formatTime, statusText } from './dom.js';

const SOURCE = { personal: 'my template', org: "my org's template", builtin: 'built-in' } as Record<string, string>;

/** "My status": what I asked for last, and per platform what it shows and how the latest update went. */
export async function renderStatus(): Promise<void> {
  const current = await client.status.current();
  const requested = current.requested;
  byId('status-summary').textContent = requested
    ? `${statusText(requested.emoji, requested.message)}${requested.expiresAt ? ` until ${formatTime(requested.expiresAt)}` : ''} (${requested.state})`
    : 'No status set yet.';
  const rows = Object.entries(current.platforms).map(([platform, view]) => {
    const delivery = requested?.platforms[platform];
    const applied = view.applied ? `${view.applied.kind === 'clear' ? '(cleared)' : statusText(view.applied.emoji, view.applied.message)} at ${formatTime(view.applied.appliedAt)}` : '(nothing yet)';
    const latest = delivery ? `${delivery.state}${delivery.errorCode ? ` (${delivery.errorCode})` : ''}` : '';
    return el('tr', { 'data-platform': platform }, el('th', { scope: 'row' }, platform), el('td', {}, view.accountName), el('td', {}, view.connection), el('td', {}, applied), el('td', { class: `state-${delivery?.state ?? 'none'}` }, latest));
  });
  const body = byId('platforms-table').querySelector('tbody')!;
  body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '5' }, 'No platform connected (POST /api/v1/config/platforms).'))]));
}

/** One button per preset in effect (built-in, org and personal templates alike). */
export async function renderPresets(onApplied: () => void): Promise<void> {
  const presets = await client.status.presets();
  const result = byId('apply-result');
  const items = presets.map((preset) => {
    const button = el('button', { type: 'button' }, preset.name);
    button.addEventListener('click', async () => {
      button.disabled = true;
      result.textContent = `Applying ${preset.name}…`;
      try {
        const accepted = await client.status.preset(preset.name);
        result.textContent = `${preset.name} sent to ${Object.keys(accepted.platforms).join(' and ')}; outcomes below.`;
        onApplied();
      } catch (error) {
        result.textContent = `Could not apply ${preset.name}: ${describeError(error)}`;
      } finally {
        button.disabled = false;
      }
    });
    return el('li', {}, button, ' ', el('span', { class: 'hint' }, `${statusText(preset.emoji, preset.message)} · ${SOURCE[preset.source] ?? preset.source}`));
  });
  byId('presets').replaceChildren(...items);
}

/** One line per event of my own stream: accepted, then each platform's outcome. */
export function logOutcome(event: string, data: Record<string, unknown>): void {
  const update = typeof data.updateId === 'string' ? data.updateId.slice(0, 8) : '';
  let text: string;
  if (event === 'accepted') text = `update ${update}: pending on ${(data.platforms as string[] | undefined)?.join(', ') ?? 'its platforms'}`;
  else if (event === 'delivery') text = `update ${update}: ${String(data.platform)} ${String(data.state)}${data.errorCode ? ` (${String(data.errorCode)})` : ''}`;
  else if (event === 'reading') text = `${String(data.platform)} was read back and shows something new`;
  else if (event === 'resync') text = 'reconnected after a long break: status read again';
  else text = event;
  const item = el('li', { class: `state-${String(data.state ?? 'none')}`, 'data-event': event, 'data-platform': String(data.platform ?? ''), 'data-state': String(data.state ?? '') }, `${new Date().toLocaleTimeString()} ${text}`);
  const list = byId('outcomes');
  list.prepend(item);
  while (list.children.length > 50) list.lastElementChild?.remove();
}
