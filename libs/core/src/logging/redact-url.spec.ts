import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides the values of code, state and token parameters, and keeps the rest', () => {
    expect(redactUrl('/api/v1/oauth/github/callback?code=5f2c1b0e9d8a7c6b5a4f&state=abc.def')).toBe('/api/v1/oauth/github/callback?code=redacted&state=redacted');
    expect(redactUrl('/x?error=access_denied&state=s&STATE=t')).toBe('/x?error=access_denied&state=redacted&STATE=redacted');
    expect(redactUrl('/x?refresh_token=r&access_token=a&code_verifier=v')).toBe('/x?refresh_token=redacted&access_token=redacted&code_verifier=redacted');
  });

  it('leaves URLs without secrets untouched, byte for byte', () => {
    for (const url of ['/api/v1/status/history?limit=10&cursor=abc%3D%3D', '/api/v1/status/current', '/x?']) expect(redactUrl(url)).toBe(url);
  });
});
