import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadOptions, LoadResult } from './load';

/** Rotates the tokens (and paths) per request and prints the figures as one JSON line when done. */
const SCRIPT = `
local tokens, paths = {}, {}
for line in io.lines(os.getenv("WRK_TOKENS")) do tokens[#tokens + 1] = line end
if os.getenv("WRK_PATHS") ~= "" then for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end end
local i = 0
local method, body = os.getenv("WRK_METHOD"), os.getenv("WRK_BODY")
function setup(thread) thread:set("offset", math.random(#tokens)) end
function request()
  i = i + 1
  local n = (i + offset) % #tokens + 1
  local path = (#paths > 0) and paths[(i + offset) % #paths + 1] or wrk.path
  local headers = { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. tokens[n] }
  return wrk.format(method, path, headers, body ~= "" and body or nil)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests":%d,"durationUs":%d,"p50":%d,"p95":%d,"p99":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`;

/** Closed-loop load with wrk: two threads, the given connections, for the given time. */
export async function runWrk(options: LoadOptions, version: string): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'statusync-wrk-'));
  writeFileSync(join(dir, 'script.lua'), SCRIPT);
  writeFileSync(join(dir, 'tokens'), options.tokens.join('\n') + '\n');
  if (options.paths) writeFileSync(join(dir, 'paths'), options.paths.join('\n') + '\n');
  const env = {
    ...process.env,
    WRK_TOKENS: join(dir, 'tokens'),
    WRK_PATHS: options.paths ? join(dir, 'paths') : '',
    WRK_METHOD: options.method ?? 'GET',
    WRK_BODY: options.body ?? '',
  };
  const args = ['-t2', `-c${options.connections}`, `-d${options.durationSeconds}s`, '--timeout', '10s', '-s', join(dir, 'script.lua'), options.url];
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile('wrk', args, { env, maxBuffer: 1 << 20 }, (error, out) => (error ? reject(error) : resolve(out))),
  );
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk printed no result: ${stdout}`);
  const r = JSON.parse(line.slice('RESULT '.length)) as { requests: number; durationUs: number; p50: number; p95: number; p99: number; errors: number; non2xx: number };
  const ok = r.requests - r.non2xx;
  return {
    requests: r.requests,
    rps: Math.round(ok / (r.durationUs / 1e6)),
    p50Ms: r.p50 / 1000,
    p95Ms: r.p95 / 1000,
    p99Ms: r.p99 / 1000,
    errors: r.errors + r.non2xx,
    statusCodes: { '2xx': ok, other: r.non2xx },
    generator: version,
  };
}
