// `npm run token -- <user> [--org <id>] [--role member|admin] [--ttl <seconds>]`: a development JWT signed
// with JWT_SECRET (or the generated development secret), printed on stdout.
import { loadConfig, runMain } from '@statusync/core';
import jwt from 'jsonwebtoken';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run token -- <user> [--org <id>] [--role member|admin] [--ttl <seconds>]

Prints a development JWT for <user> (the token's sub), signed with JWT_SECRET.
  --org <id>        the user's organisation (org_id claim)
  --role <role>     member (default) or admin of that organisation
  --ttl <seconds>   lifetime, default 3600
example: TOKEN=$(npm run --silent token -- alice --org acme --role admin)
`;

/** Wrong arguments: the usage on stderr and exit code 2, as command-line tools do; no stack trace. */
function usageError(problem: string): never {
  process.stderr.write(`${problem}\n\n${USAGE}`);
  process.exit(2);
}

function readArguments() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { org: { type: 'string' }, role: { type: 'string' }, ttl: { type: 'string', default: '3600' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
}

runMain('token', async () => {
  const { positionals, values } = readArguments();
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const [subject, ...extra] = positionals;
  if (!subject) usageError('missing <user>');
  if (extra.length > 0) usageError(`unexpected argument: ${extra.join(' ')}`);
  if (values.role !== undefined && values.role !== 'member' && values.role !== 'admin') usageError(`--role must be member or admin, not "${values.role}"`);
  if (!/^[1-9]\d{0,8}$/.test(values.ttl)) usageError(`--ttl must be a whole number of seconds, not "${values.ttl}"`);
  const config = loadConfig();
  if (!config.jwt.secret) throw new Error('JWT_SECRET is not set (tokens from JWT_JWKS_URL come from your identity provider)');
  const claims = { ...(values.org ? { org_id: values.org } : {}), ...(values.role ? { role: values.role } : {}) };
  const token = jwt.sign(claims, config.jwt.secret, {
    algorithm: 'HS256',
    subject,
    expiresIn: Number(values.ttl),
    ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
  });
  process.stdout.write(`${token}\n`);
});
