import { answered, client, clientWith, describeError } from './client.js';
import { byId } from './dom.js';
import { claimsOf, session } from './session.js';
import { followStream } from './sse.js';
import { logOutcome, renderPresets, renderStatus } from './status-view.js';
import { renderTeams } from './teams-view.js';

let stopAll: (() => void) | null = null;

function showError(error: unknown): void {
  byId('sign-in-error').textContent = describeError(error);
}

/** Refreshes "My status" once per burst of events (several platforms land together). */
let refreshTimer: number | undefined;
function refreshStatusSoon(): void {
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void renderStatus().catch(showError), 150);
}

function signOut(message = ''): void {
  stopAll?.();
  stopAll = null;
  session.clear();
  byId('signed-in').hidden = true;
  byId('sign-in').hidden = false;
  byId('sign-out').hidden = true;
  byId('who').textContent = 'Not signed in.';
  byId('sign-in-error').textContent = message;
}

async function signIn(token: string): Promise<void> {
  const claims = claimsOf(token);
  if (!claims) throw new Error('That is not a JWT (three base64url parts, with a sub claim).');
  // The gateway is the judge: /me answers 401 with the reason for a bad or expired token.
  await clientWith(token).me.get();
  session.save(token);
  byId('who').textContent = `Signed in as ${claims.sub}${claims.org_id ? ` of ${claims.org_id}` : ''}${claims.role === 'admin' ? ' (admin)' : ''}.`;
  byId('sign-in').hidden = true;
  byId('signed-in').hidden = false;
  byId('sign-out').hidden = false;
  byId('sign-in-error').textContent = '';
  const own = followStream({
    open: (options) => client.status.stream(options),
    onEvent: (event) => {
      logOutcome(event.event, event.data as Record<string, unknown>);
      refreshStatusSoon();
    },
    onState: (state, detail) => {
      const line = byId('own-stream-state');
      line.dataset.streamState = state;
      line.textContent = state === 'open' ? 'Live: outcomes appear here as each platform answers.' : `${state}${detail ? ` (${detail})` : ''}…`;
    },
  });
  const stopTeams = await renderTeams().catch((error: unknown) => {
    showError(error);
    return () => undefined;
  });
  stopAll = () => {
    own.close();
    stopTeams();
  };
  await Promise.all([renderStatus(), renderPresets(refreshStatusSoon)]);
}

function attempt(work: () => Promise<void>): void {
  work().catch((error: unknown) => {
    if (answered(error, 401)) return signOut(`The gateway refused the token: ${describeError(error)}`);
    showError(error);
  });
}

byId<HTMLFormElement>('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>('token-input');
  attempt(() => signIn(input.value.trim().replace(/^Bearer\s+/i, '')));
  input.value = '';
});

byId<HTMLFormElement>('dev-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  const orgId = String(form.get('orgId') ?? '').trim();
  const role = String(form.get('role')) === 'admin' ? 'admin' : 'member';
  const body = { subject: String(form.get('subject') ?? '').trim(), role, ...(orgId ? { orgId } : {}) } as const;
  attempt(async () => {
    // The development route needs no token (the client's is empty before signing in).
    const minted = await client.raw.POST('/api/v1/dev/token', { body });
    // The route does not exist in production: say so plainly rather than "Not Found".
    if (minted.response.status === 404) throw new Error('Picking a user only works in development (NODE_ENV is production here): paste a token instead.');
    if (!minted.data) throw new Error(describeError(minted.error) || `HTTP ${minted.response.status}`);
    await signIn(minted.data.token);
  });
});

byId('sign-out').addEventListener('click', () => signOut());

const saved = session.token();
if (saved) attempt(() => signIn(saved));
