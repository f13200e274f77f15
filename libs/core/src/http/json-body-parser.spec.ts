import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { MAX_JSON_DEPTH, useDepthLimitedJsonParser } from './json-body-parser';
import { jsonNestingExceeds } from './json-depth';
import { ProblemException } from './problem.exception';

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('jsonNestingExceeds', () => {
  it.each([
    ['a flat object', '{"a":1,"b":"x"}', 1, false],
    ['depth 2 at limit 2', '{"platforms":["github"]}', 2, false],
    ['depth 3 at limit 2', '{"a":{"b":[]}}', 2, true],
    ['siblings do not add up', '[[1],[2],[3],{"a":4}]', 2, false],
    ['brackets inside strings', '{"message":"[[[[{{{{"}', 1, false],
    ['an escaped quote inside a string', '{"m":"say \\"[[[\\" ok"}', 1, false],
    ['an escaped backslash before the closing quote', '{"m":"\\\\","n":[[1]]}', 2, true],
    ['a scalar', '42', 0, false],
  ])('%s', (_case, text, limit, expected) => {
    expect(jsonNestingExceeds(text, limit)).toBe(expected);
  });

  it('answers quickly for the deepest body that fits in 64 KB', () => {
    const started = process.hrtime.bigint();
    expect(jsonNestingExceeds(nested(32_000), MAX_JSON_DEPTH)).toBe(true);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
  });
});

describe('useDepthLimitedJsonParser', () => {
  let fastify: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    fastify = new FastifyAdapter({ bodyLimit: 64 * 1024 }).getInstance() as unknown as FastifyInstance;
    useDepthLimitedJsonParser(fastify);
    // Renders what the app's ProblemDetailsFilter would get: the status of the error, and its type.
    fastify.setErrorHandler((error: unknown, _request, reply) => {
      const status = error instanceof ProblemException ? error.getStatus() : ((error as { statusCode?: number }).statusCode ?? 500);
      void reply.status(status).send({ problem: error instanceof ProblemException ? error.slug : (error as { code?: string }).code });
    });
    fastify.post('/echo', async (request) => ({ body: request.body, prototype: Object.getPrototypeOf(request.body) === Object.prototype }));
    // A real socket: Fastify's inject needs an ESM-only module Jest cannot load here.
    url = `${await fastify.listen({ port: 0, host: '127.0.0.1' })}/echo`;
  });

  afterAll(() => fastify.close());

  const post = async (payload: string) => {
    const answer = await fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json' } });
    const body = (await answer.json()) as unknown;
    return { statusCode: answer.status, json: () => body };
  };

  it('parses ordinary JSON as before', async () => {
    const answer = await post('{"message":"hi","platforms":["github"]}');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ body: { message: 'hi', platforms: ['github'] }, prototype: true });
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more with 400 json-too-deep`, async () => {
    expect((await post(nested(MAX_JSON_DEPTH))).statusCode).toBe(200);
    const tooDeep = await post(nested(MAX_JSON_DEPTH + 1));
    expect({ status: tooDeep.statusCode, body: tooDeep.json() }).toEqual({ status: 400, body: { problem: 'json-too-deep' } });
  });

  it('refuses 10,000 levels in a field (under 64 KB) without recursing', async () => {
    const answer = await post(`{"message":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`);
    expect({ status: answer.statusCode, body: answer.json() }).toEqual({ status: 400, body: { problem: 'json-too-deep' } });
  });

  it.each([
    ['__proto__', '{"message":"hi","__proto__":{"admin":true}}'],
    ['constructor.prototype', '{"message":"hi","constructor":{"prototype":{"admin":true}}}'],
  ])('still refuses %s poisoning with 400', async (_case, payload) => {
    const answer = await post(payload);
    expect({ status: answer.statusCode, body: answer.json() }).toEqual({ status: 400, body: { problem: 'FST_ERR_CTP_INVALID_JSON_BODY' } });
  });

  it.each([
    ['a value', '{"message":"broken \\ud800 text"}'],
    ['a key', '{"\\udc00":"x"}'],
    ['an array item', '{"platforms":["github","\\ud83d"]}'],
  ])('refuses a lone surrogate in %s with 400 invalid-unicode', async (_case, payload) => {
    const answer = await post(payload);
    expect({ status: answer.statusCode, body: answer.json() }).toEqual({ status: 400, body: { problem: 'invalid-unicode' } });
  });

  it('accepts well-formed astral characters, escaped or not', async () => {
    const answer = await post('{"message":"\\ud83c\\udf34 and 🌴"}');
    expect(answer.json()).toEqual({ body: { message: '🌴 and 🌴' }, prototype: true });
  });

  it('still refuses an empty body and malformed JSON with 400', async () => {
    expect((await post('')).json()).toEqual({ problem: 'FST_ERR_CTP_EMPTY_JSON_BODY' });
    expect((await post('{"message":')).json()).toEqual({ problem: 'FST_ERR_CTP_INVALID_JSON_BODY' });
  });

  it('keeps the body limit: 413 over 64 KB', async () => {
    const answer = await post(JSON.stringify({ message: 'x'.repeat(70 * 1024) }));
    expect(answer.statusCode).toBe(413);
  });
});
