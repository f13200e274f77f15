import type { FastifyInstance } from 'fastify';
import { jsonNestingExceeds } from './json-depth';
import { ProblemException } from './problem.exception';

/**
 * Deeper than any body the API accepts (the deepest is `{"platforms": [...]}`, depth 2) and far below what
 * overflows the stack: class-transformer and class-validator recurse once per level, and a 64 KB body of
 * `[[[[…` is ~65,000 levels, which answered 500 (RangeError) before this limit existed.
 */
export const MAX_JSON_DEPTH = 32;

/** A lone UTF-16 surrogate (`"\ud800"` in JSON): in a `u` regex, a well-formed pair is one code point and never matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Replaces Fastify's JSON parser with one that refuses, with 400, what the API could not handle faithfully:
 * bodies nested deeper than `maxDepth` (checked before parsing), and strings that are not well-formed Unicode
 * (Postgres and the platforms would silently get U+FFFD instead of what was sent). Parsing itself is exactly
 * Fastify's: secure-json-parse, with `__proto__` and `constructor.prototype` refused.
 */
export function useDepthLimitedJsonParser(fastify: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonNestingExceeds(body as string, maxDepth)) {
      done(new ProblemException(400, 'json-too-deep', 'JSON nested too deeply', `JSON nested deeper than ${maxDepth} levels is not accepted`), undefined);
      return;
    }
    parse(request, body as string, (error, value) => {
      if (!error && hasLoneSurrogate(value)) {
        done(new ProblemException(400, 'invalid-unicode', 'Invalid Unicode', 'The body contains a string that is not well-formed Unicode (a lone surrogate)'), undefined);
        return;
      }
      done(error, value);
    });
  });
}

/** Recursion is safe here: the depth was bounded before parsing. */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(item));
  }
  return false;
}
