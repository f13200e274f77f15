// `npm run token -- <user> [--org <id>] [--role member|admin] [--ttl <seconds>]`: a development JWT signed
// with JWT_SECRET (or the generated development secret), printed on stdout.
import { loadConfig, runMain } from '@statusync/core';
import jwt from 'jsonwebtoken';
import { parseArgs } from 'node:util';

runMain('token', async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { org: { type: 'string' }, role: { type: 'string' }, ttl: { type: 'string', default: '3600' } },
  });
  const [subject] = positionals;
  if (!subject) throw new Error('usage: npm run token -- <user> [--org <id>] [--role member|admin] [--ttl <seconds>]');
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
