import fc from 'fast-check';

/**
 * fast-check arbitraries for every operation of the gateway's OpenAPI document (/docs-json): path, query and
 * header parameters, JSON bodies and the Authorization header, each a mix of schema-valid, boundary and hostile
 * values. Everything is derived from the document, so an endpoint added to the API is fuzzed without a change
 * here. What the document cannot say (a real update id, a JWT) is left as a plan the runner resolves at send time.
 */

// ---------------------------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------------------------

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  writeOnly?: boolean;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  example?: unknown;
}

interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, { content?: Record<string, MediaType> }>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation | Parameter[]>>;
  components?: { schemas?: Record<string, Schema> };
  security?: Record<string, string[]>[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

export interface ParamSpec {
  name: string;
  required: boolean;
  schema: Schema;
  /** False for a `{name}` in the path template that the document does not declare (a gap in the document). */
  documented: boolean;
}

/** One operation of the document, as the fuzzer needs it. */
export interface FuzzOperation {
  /** `METHOD /path/{template}`, the operation's identity in the summary and in counterexamples. */
  id: string;
  method: string;
  pathTemplate: string;
  pathParams: ParamSpec[];
  queryParams: ParamSpec[];
  headerParams: ParamSpec[];
  body?: { required: boolean; schema: Schema; examples: unknown[] };
  /**
   * `required`: a bearer JWT or a 401. `optional`: anonymous allowed (an empty security requirement beside the
   * bearer one), but credentials that are sent must be good. `none`: public.
   */
  auth: 'required' | 'optional' | 'none';
  /** Documented answers below 400 (e.g. [202]). */
  successStatuses: number[];
  documentedStatuses: number[];
  /** Methods the document defines for the same path (a method outside it must be refused). */
  methodsOnPath: string[];
}

export async function fetchOpenApi(baseUrl: string): Promise<OpenApiDocument> {
  const answer = await fetch(`${baseUrl}/docs-json`);
  if (answer.status !== 200) throw new Error(`GET /docs-json answered ${answer.status}`);
  return (await answer.json()) as OpenApiDocument;
}

/** Follows `$ref` into components and merges `allOf`, so generators only ever see plain schemas. */
export function resolveSchema(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): Schema {
  if (!schema) return {};
  if (depth > 20) throw new Error('schema $ref chain too deep');
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolvable ${schema.$ref}`);
    const { $ref: _ref, ...rest } = schema;
    return { ...resolveSchema(doc, target, depth + 1), ...rest };
  }
  // anyOf (the status update: a message or an emoji): generating the first alternative keeps bodies valid.
  if (schema.anyOf) {
    const { anyOf, ...rest } = schema;
    return resolveSchema(doc, { ...rest, allOf: [...(rest.allOf ?? []), anyOf[0]] }, depth + 1);
  }
  if (schema.allOf) {
    const { allOf, ...rest } = schema;
    return allOf.reduce<Schema>((merged, part) => {
      const resolved = resolveSchema(doc, part, depth + 1);
      return { ...merged, ...resolved, properties: { ...merged.properties, ...resolved.properties }, required: [...(merged.required ?? []), ...(resolved.required ?? [])] };
    }, rest);
  }
  return schema;
}

/** resolveSchema all the way down: properties and items too. */
export function resolveDeep(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): Schema {
  const resolved = resolveSchema(doc, schema);
  if (depth > 10) return resolved;
  return {
    ...resolved,
    ...(resolved.properties
      ? { properties: Object.fromEntries(Object.entries(resolved.properties).map(([name, property]) => [name, resolveDeep(doc, property, depth + 1)])) }
      : {}),
    ...(resolved.items ? { items: resolveDeep(doc, resolved.items, depth + 1) } : {}),
  };
}

function authOf(security: Record<string, string[]>[]): FuzzOperation['auth'] {
  if (security.length === 0) return 'none';
  return security.some((requirement) => Object.keys(requirement).length === 0) ? 'optional' : 'required';
}

export function operationsOf(doc: OpenApiDocument): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [pathTemplate, item] of Object.entries(doc.paths)) {
    const methodsOnPath = Object.keys(item).filter((key) => HTTP_METHODS.includes(key)).map((m) => m.toUpperCase());
    const shared = (Array.isArray(item.parameters) ? item.parameters : []) as Parameter[];
    for (const method of methodsOnPath) {
      const operation = item[method.toLowerCase()] as Operation;
      const parameters = [...shared, ...(operation.parameters ?? [])];
      const spec = (p: Parameter): ParamSpec => ({
        name: p.name,
        required: p.in === 'path' || p.required === true,
        schema: { ...(p.example === undefined ? {} : { example: p.example }), ...resolveDeep(doc, p.schema) },
        documented: true,
      });
      const declaredPath = parameters.filter((p) => p.in === 'path').map(spec);
      // A template variable the document forgot is still fuzzed, as a free string.
      const templateNames = [...pathTemplate.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const pathParams = templateNames.map(
        (name) => declaredPath.find((p) => p.name === name) ?? { name, required: true, schema: { type: 'string' }, documented: false },
      );
      const content = operation.requestBody?.content;
      const json = content?.['application/json'];
      const responses = Object.keys(operation.responses ?? {}).map(Number).filter(Number.isInteger);
      operations.push({
        id: `${method} ${pathTemplate}`,
        method,
        pathTemplate,
        pathParams,
        queryParams: parameters.filter((p) => p.in === 'query').map(spec),
        headerParams: parameters.filter((p) => p.in === 'header').map(spec),
        body: json
          ? {
              required: operation.requestBody?.required === true,
              schema: resolveDeep(doc, json.schema),
              examples: [...(json.example === undefined ? [] : [json.example]), ...Object.values(json.examples ?? {}).map((e) => e.value)].filter(
                (value) => value !== undefined,
              ),
            }
          : undefined,
        auth: authOf(operation.security ?? doc.security ?? []),
        successStatuses: responses.filter((status) => status < 400),
        documentedStatuses: responses,
        methodsOnPath,
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON text with what JSON.stringify cannot produce
// ---------------------------------------------------------------------------------------------------------------

/** A literal written into the JSON text as is: `1e309`, `-0`, `NaN`, a nested monster. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object as a list of entries: duplicate keys and own `__proto__` keys survive. */
export class JsonEntries {
  constructor(readonly entries: [string, unknown][]) {}
}

export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof JsonEntries) return `{${value.entries.map(([key, v]) => `${JSON.stringify(key)}:${toJsonText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') return toJsonText(new JsonEntries(Object.entries(value)));
  return JSON.stringify(value) ?? 'null';
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------------------------

const nested = (depth: number, open: string, inner: string, close: string) => open.repeat(depth) + inner + close.repeat(depth);

export const UNICODE_STRINGS = [
  '😀👩🏽‍💻🏳️‍🌈',
  'مرحبا بالعالم',
  '\u202eevil\u202c',
  'zero\u200bwidth\u200d\ufeff',
  'e\u0301\u0302\u0303\u0304',
  '\ud800',
  '\udfff lone',
  'x\ud83d',
  '\u0000',
  'nul\u0000inside',
  '\u0007\u0008\u001b[31mred',
  'line\nbreak',
  'tab\there',
  '\r\n\r\n',
  '\u2028\u2029',
  '\uffff\ufffe',
  'ᚠᛇᚻ᛫ᛒᛦᚦ',
  '𝕳𝖊𝖑𝖑𝖔',
  'Ω≈ç√∫',
  '١٢٣',
  '１２３',
];

export const INJECTION_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  "1; SELECT pg_sleep(5)--",
  '%\' AND 1=1 --',
  '$1',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%s%s%s%n',
  '\\',
  '"',
  '{"$gt":""}',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];

export const BAD_DATES = [
  '2030-02-30T00:00:00Z',
  '2031-02-29T00:00:00Z',
  '2030-01-01T24:00:00Z',
  '2030-01-01T23:60:00Z',
  '2030-01-01T23:59:60Z',
  '2030-13-01T00:00:00Z',
  '2030-00-10T00:00:00Z',
  '2030-01-32T00:00:00Z',
  '2030-01-01T00:00:00',
  '2030-01-01',
  '2030-01-01T00:00Z',
  '2030-01-01 00:00:00Z',
  '2030-01-01T00:00:00+25:00',
  '2030-01-01T00:00:00+05:60',
  '2030-01-01T00:00:00.1234567890Z',
  '+275760-09-13T00:00:01Z',
  '-000001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '2020-01-01T00:00:00Z',
  'tomorrow',
  'now',
  '1893456000',
  'Tue, 25 Nov 2030 17:00:00 GMT',
  '２０３０-01-01T00:00:00Z',
];

export const NUMBER_STRINGS = ['1e309', '-1e309', '-0', 'NaN', 'Infinity', '-Infinity', '0x10', '1_000', '1.5', '1e2', '01', ' 1', '1 ', '+1', '99999999999999999999999', '-1', '0'];

/** Literal JSON numbers JSON.stringify would never write. */
export const RAW_NUMBERS = ['1e309', '-1e309', '-0', '1E+2', '0.0000001e-400', '9007199254740993', '123456789012345678901234567890', '1.0', '-0.0', '5e-324'];

const hugeString = fc
  .tuple(fc.constantFrom('x', 'é', '😀', '\u0000', '"\\', '<script>', '\u200b'), fc.constantFrom(1_024, 10_000, 65_536, 70_000, 200_000))
  .map(([unit, size]) => unit.repeat(Math.ceil(size / unit.length)));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...INJECTION_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...BAD_DATES) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBER_STRINGS) },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '   ', 'null', 'undefined', 'true', '[]', '{}') },
);

/** Deeply nested arrays/objects, both under and over the parser's depth limit. */
const deepValue = fc
  .tuple(fc.constantFrom(10, 31, 32, 33, 100, 5_000), fc.boolean())
  .map(([depth, arrays]) => new RawJson(arrays ? nested(depth, '[', '1', ']') : nested(depth, '{"a":', '1', '}')));

/** Any JSON of the wrong kind: what a sloppy or hostile client sends instead of the right type. */
export const wrongTypeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, 1, -1, 1.5, '', 'string', [], {}, [null], { a: 1 }, [[]], ['github', 'github']),
  fc.constantFrom(...RAW_NUMBERS).map((text) => new RawJson(text)),
  fc.constantFrom(...NUMBER_STRINGS),
  deepValue,
  fc.jsonValue({ maxDepth: 3 }),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof({ weight: 3, arbitrary: wrongTypeValue }, { weight: 3, arbitrary: hostileString });

// ---------------------------------------------------------------------------------------------------------------
// Values from a schema
// ---------------------------------------------------------------------------------------------------------------

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isDateTime = (schema: Schema) => schema.format === 'date-time' || (typeof schema.example === 'string' && RFC3339.test(schema.example));
const isUuid = (schema: Schema) => schema.format === 'uuid';
const isNumeric = (schema: Schema) => schema.type === 'number' || schema.type === 'integer';

/** A date-time as clients write it: now plus or minus up to two years, in Z or with an offset, sometimes fractional. */
const dateTime = fc
  .tuple(fc.integer({ min: -2 * 525_600, max: 2 * 525_600 }), fc.constantFrom('Z', '+00:00', '+05:30', '-08:00', '+14:00'), fc.boolean())
  .map(([minutes, zone, fraction]) => {
    const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    // Minutes from now, resolved when the request is generated: far enough out that "future" stays true while it is in flight.
    const instant = new Date(Date.now() + minutes * 60_000 + (minutes > 0 ? 120_000 : 0) + offsetMinutes * 60_000);
    const text = instant.toISOString().replace(/\.\d{3}Z$/, fraction ? '.123Z' : 'Z');
    return zone === 'Z' ? text : text.replace(/Z$/, zone);
  });

const futureDateTime = dateTime.filter((text) => Date.parse(text) > Date.now() + 60_000);

/** Values a well-behaved client could send. Not all are accepted (a document cannot say everything), most are. */
export function validValue(schema: Schema): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [];
  if (schema.enum) return fc.constantFrom(...schema.enum);
  // The document's example is the one value known to satisfy rules it cannot state (an emoji :shortcode:):
  // favoured, so that valid requests are accepted often enough to do real work. Not for dates: it ages.
  if (schema.example !== undefined && schema.type !== 'object') {
    const example = fc.constant(schema.example);
    options.push(...(isDateTime(schema) ? [example] : [example, example, example]));
  }
  switch (schema.type) {
    case 'string':
      if (isUuid(schema)) options.push(fc.uuid());
      else if (isDateTime(schema)) options.push(futureDateTime, dateTime);
      else
        options.push(
          fc.string({ unit: 'grapheme-ascii', minLength: Math.max(1, schema.minLength ?? 1), maxLength: Math.min(schema.maxLength ?? 40, 200) }),
          fc.string({ unit: 'grapheme', minLength: Math.max(1, schema.minLength ?? 1), maxLength: Math.min(schema.maxLength ?? 40, 200) }),
        );
      break;
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1_000_000;
      const max = schema.maximum ?? 1_000_000;
      options.push(fc.integer({ min: Math.ceil(min), max: Math.floor(max) }));
      if (schema.type === 'number') options.push(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));
      break;
    }
    case 'boolean':
      options.push(fc.boolean());
      break;
    case 'array': {
      const items = schema.items ?? {};
      const maxLength = Math.max(1, schema.maxItems ?? 3);
      options.push(
        items.enum
          ? fc.shuffledSubarray(items.enum, { minLength: Math.max(1, schema.minItems ?? 1), maxLength: Math.min(maxLength, items.enum.length) })
          : fc.array(validValue(items), { minLength: Math.max(1, schema.minItems ?? 1), maxLength }),
      );
      break;
    }
    case 'object':
    default:
      if (schema.properties) options.push(validObject(schema));
      else if (options.length === 0) options.push(fc.jsonValue({ maxDepth: 2 }));
  }
  return fc.oneof(...options);
}

/** Every required property and some of the optional ones, each schema-valid. */
function validObject(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, validValue(property)]));
  return fc.record(properties, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) }) as fc.Arbitrary<Record<string, unknown>>;
}

/** Values on and just past the edges the schema states, and the edges of the type itself. */
export function boundaryValue(schema: Schema): fc.Arbitrary<unknown> {
  const edges: unknown[] = [];
  if (schema.enum) {
    for (const value of schema.enum) {
      edges.push(value);
      if (typeof value === 'string') edges.push(value.toUpperCase(), `${value[0]?.toUpperCase() ?? ''}${value.slice(1)}`, ` ${value}`, `${value} `, value.slice(0, -1), `${value}s`);
    }
  }
  switch (schema.type) {
    case 'string': {
      edges.push('', ' ');
      if (schema.maxLength !== undefined) {
        const n = schema.maxLength;
        edges.push('x'.repeat(n), 'x'.repeat(n + 1), '😀'.repeat(n), '😀'.repeat(n + 1), 'é'.repeat(n), 'e\u0301'.repeat(n), ' '.repeat(n));
      }
      if (schema.minLength !== undefined) edges.push('x'.repeat(schema.minLength), 'x'.repeat(Math.max(0, schema.minLength - 1)));
      if (isUuid(schema)) {
        edges.push('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'A3C6F2DE-8F43-4A7E-9E43-2F3D0F1B7C11', '{a3c6f2de-8f43-4a7e-9e43-2f3d0f1b7c11}', 'a3c6f2de8f434a7e9e432f3d0f1b7c11', 'a3c6f2de-8f43-4a7e-9e43-2f3d0f1b7c1');
      }
      if (isDateTime(schema)) {
        const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
        edges.push(inMs(90_000), inMs(-1_000), inMs(0), '2028-02-29T00:00:00Z', '2099-12-31T23:59:59.999999999Z', '2030-06-01T12:00:00+14:00', '2030-06-01T12:00:00-12:00', '2030-06-01T12:00:00.1Z', '2030-06-01t12:00:00z');
      }
      break;
    }
    case 'integer':
    case 'number': {
      edges.push(0, 1, -1, new RawJson('-0'), 0.5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, new RawJson('9007199254740993'), 2 ** 31, 2 ** 53);
      if (schema.minimum !== undefined) edges.push(schema.minimum, schema.minimum - 1, schema.minimum - 0.5, schema.minimum + 0.5);
      if (schema.maximum !== undefined) edges.push(schema.maximum, schema.maximum + 1, schema.maximum - 0.5, schema.maximum + 0.5);
      break;
    }
    case 'array': {
      const item = schema.items ?? {};
      edges.push([]);
      if (item.enum) {
        edges.push([...item.enum, ...item.enum], [item.enum[0], item.enum[0]], [...item.enum].reverse());
      }
      if (schema.maxItems !== undefined) edges.push(Array.from({ length: schema.maxItems + 1 }, (_, i) => (item.enum ? item.enum[i % item.enum.length] : 'x')));
      edges.push(Array.from({ length: 1_000 }, () => (item.enum ? item.enum[0] : 'x')));
      break;
    }
    case 'boolean':
      edges.push(true, false);
      break;
    default:
      edges.push({}, []);
  }
  return edges.length > 0 ? fc.constantFrom(...edges) : validValue(schema);
}

/** Value generators for one schema, by intent. */
export const valueOf = (schema: Schema) => ({
  valid: validValue(schema),
  boundary: boundaryValue(schema),
  hostile: hostileValue,
});

/** A value for a string context (path, query, header): numbers and booleans as their text, objects as JSON. */
export const asText = (value: unknown): string =>
  typeof value === 'string' ? value : value instanceof RawJson ? value.text : value === undefined ? '' : toJsonText(value);

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

export type Intent = 'valid' | 'boundary' | 'hostile';

/** How the request authenticates; the runner mints JWTs at send time (they expire, and need the secret). */
export type AuthPlan =
  | { kind: 'user' }
  | { kind: 'none' }
  /** Sent as the whole Authorization header. */
  | { kind: 'header'; value: string }
  /** A JWT for the request's user that must be refused. */
  | { kind: 'bad-jwt'; variant: 'expired' | 'wrong-secret' | 'alg-none' | 'no-exp' | 'not-yet-valid' | 'bad-claims' | 'tampered'; claims: Record<string, unknown> }
  /** A correctly signed JWT for a subject never seen before: a first-sight user, or a 401 when its claims are bad. */
  | { kind: 'fresh'; claims: Record<string, unknown> };

/** A path segment: text (already encoded) or "an id the API handed out earlier", chosen at send time. */
export type PathPart = string | { seenId: number; param: string };

export interface BodyPlan {
  /** null: no Content-Type header at all. */
  contentType: string | null;
  text?: string;
  /** Raw bytes (e.g. invalid UTF-8), hex-encoded. */
  hex?: string;
}

/** A long value cut for display, saying how long it really was. */
export const clip = (text: string, max = 160) => (text.length > max ? `${JSON.stringify(text.slice(0, max)).slice(0, -1)}…" (${text.length} chars)` : JSON.stringify(text));
const clipPlain = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);

export class FuzzRequest {
  constructor(
    readonly operation: string,
    readonly method: string,
    readonly path: PathPart[],
    readonly query: string,
    readonly headers: Record<string, string>,
    readonly body: BodyPlan | undefined,
    readonly auth: AuthPlan,
    /** Which of the fuzzed users sends it (ignored for `fresh`). */
    readonly user: number,
    /** What each part was generated as, for the summary: `body:hostile`, `auth:bad-jwt`, ... */
    readonly tags: string[],
  ) {}

  pathText(resolveSeen: (part: { seenId: number; param: string }) => string = (p) => `{seen ${p.param} #${p.seenId}}`): string {
    return this.path.map((part) => (typeof part === 'string' ? part : resolveSeen(part))).join('') + this.query;
  }

  toString(): string {
    const body = this.body ? ` body(${this.body.contentType ?? 'no content-type'})=${this.body.hex !== undefined ? `hex:${clip(this.body.hex)}` : clip(this.body.text ?? '')}` : '';
    const headers = Object.keys(this.headers).length > 0 ? ` headers=${clip(JSON.stringify(this.headers), 300)}` : '';
    const auth = this.auth.kind === 'user' ? '' : ` auth=${clip(JSON.stringify(this.auth), 300)}`;
    return `${this.method} ${clipPlain(this.pathText())} [user ${this.user}]${auth}${headers}${body}`;
  }

  [fc.toStringMethod](): string {
    return this.toString();
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes out as the bytes UTF-8 would give it. */
export const enc = (text: string) =>
  text
    .split(LONE_SURROGATE)
    .map(encodeURIComponent)
    .join('%ED%A0%80');

/** Longest query string or path segment sent: over Node's 16 KB header limit, not by much. */
const MAX_URL_PART = 24_000;

/** Raw path segments that confuse routers: traversal, encoded separators, bad percent-encoding, over-long. */
const HOSTILE_SEGMENTS = ['', '.', '..', '%2e%2e', '%2F', 'a%2Fb', 'a/b', '%00', '%', '%ZZ', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '?', '#', ';', '%20', '~', '*', '..%2F..%2Fetc%2Fpasswd'];

function pathSegment(param: ParamSpec): fc.Arbitrary<[PathPart, Intent]> {
  const values = valueOf(param.schema);
  const valid: fc.Arbitrary<PathPart> = isUuid(param.schema)
    ? fc.oneof(fc.nat({ max: 1_000 }).map((seenId) => ({ seenId, param: param.name })), values.valid.map((v) => enc(asText(v))))
    : values.valid.map((v) => enc(asText(v)));
  return fc.oneof(
    { weight: 6, arbitrary: valid.map((part) => [part, 'valid'] as [PathPart, Intent]) },
    { weight: 2, arbitrary: values.boundary.map((v) => [enc(asText(v)), 'boundary'] as [PathPart, Intent]) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          hostileString.map((s) => enc(s.slice(0, 20_000)).slice(0, MAX_URL_PART)),
          fc.constantFrom(...HOSTILE_SEGMENTS),
          fc.constantFrom(99, 100, 101, 2_000, 8_000, 20_000).map((n) => 'a'.repeat(n)),
        )
        .map((part) => [part, 'hostile'] as [PathPart, Intent]),
    },
  );
}

function pathArb(op: FuzzOperation): fc.Arbitrary<{ parts: PathPart[]; intents: Intent[] }> {
  const pieces = op.pathTemplate.split(/(\{[^}]+\})/).filter((piece) => piece !== '');
  const arbs = pieces.map((piece) => {
    const name = /^\{([^}]+)\}$/.exec(piece)?.[1];
    const param = name ? op.pathParams.find((p) => p.name === name) : undefined;
    return param ? pathSegment(param) : fc.constant<[PathPart, Intent | null]>([piece, null]);
  });
  return fc.tuple(...arbs).map((parts) => ({ parts: parts.map(([part]) => part), intents: parts.map(([, i]) => i).filter((i): i is Intent => i !== null) }));
}

/** Raw query fragments appended unencoded: bad percent-encoding, array and object syntax, separators. */
const HOSTILE_QUERY = ['%ZZ', '%', '%00', '&&&', '=', '==', 'a=1=2', '[]=1', 'a[]=1', 'a[b]=1', '__proto__[x]=1', 'constructor[prototype][x]=1', ';', '+', '%2B', '%E0%A4%A'];

function queryArb(op: FuzzOperation): fc.Arbitrary<{ query: string; intent: Intent }> {
  const param = (p: ParamSpec, which: Intent): fc.Arbitrary<[string, string] | null> => {
    const values = valueOf(p.schema);
    const value = which === 'valid' ? values.valid : which === 'boundary' ? values.boundary : values.hostile;
    const pair = value.map((v): [string, string] => [p.name, asText(v).slice(0, 20_000)]);
    return p.required ? pair : fc.option(pair, { nil: null, freq: 2 });
  };
  const pairs = (which: Intent) => fc.tuple(...op.queryParams.map((p) => param(p, which))).map((list) => list.filter((x): x is [string, string] => x !== null));
  const render = (list: [string, string][], raw: string[] = []) => {
    const text = [...list.map(([k, v]) => `${enc(k)}=${enc(v)}`), ...raw].join('&');
    // Past the server's 16 KB header limit (a 431) but no further: a megabyte request line is refused while it is
    // still being written, which is a reset socket for the client, not an answer to check.
    return text === '' ? '' : `?${text.slice(0, MAX_URL_PART)}`;
  };
  const hostileExtras = fc.array(
    fc.oneof(
      fc.constantFrom(...HOSTILE_QUERY),
      fc.tuple(fc.oneof(fc.constantFrom(...op.queryParams.map((p) => p.name), 'unknown', '__proto__', 'constructor', ''), hostileString), hostileString).map(([k, v]) => `${enc(k)}=${enc(v.slice(0, 2_000))}`),
    ),
    { minLength: 1, maxLength: 3 },
  );
  return fc.oneof(
    { weight: 6, arbitrary: pairs('valid').map((list) => ({ query: render(list), intent: 'valid' as Intent })) },
    ...(op.queryParams.length > 0 ? [{ weight: 2, arbitrary: pairs('boundary').map((list) => ({ query: render(list), intent: 'boundary' as Intent })) }] : []),
    ...(op.queryParams.length > 0 ? [{ weight: 2, arbitrary: pairs('hostile').map((list) => ({ query: render(list), intent: 'hostile' as Intent })) }] : []),
    // Valid parameters with unknown, duplicated or malformed ones beside them.
    { weight: 1, arbitrary: fc.tuple(pairs('valid'), hostileExtras).map(([list, raw]) => ({ query: render(list, raw), intent: 'hostile' as Intent })) },
  );
}

/** Header values must be what fetch (undici) will send: tab, printable ASCII and Latin-1 bytes; anything else becomes '?'. */
export const headerSafe = (text: string) => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

function headersArb(op: FuzzOperation): fc.Arbitrary<{ headers: Record<string, string>; intent: Intent }> {
  const param = (p: ParamSpec) => {
    const values = valueOf(p.schema);
    const sized = fc.constantFrom(255, 256, 1_000, 8_000, 20_000).map((n) => 'k'.repeat(n));
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant(null) },
      { weight: 6, arbitrary: values.valid.map((v) => [p.name, headerSafe(asText(v)), 'valid'] as const) },
      { weight: 2, arbitrary: fc.oneof(values.boundary.map(asText), sized).map((v) => [p.name, headerSafe(v), 'boundary'] as const) },
      { weight: 2, arbitrary: hostileString.map((v) => [p.name, headerSafe(v.slice(0, 20_000)), 'hostile'] as const) },
    );
  };
  // X-Request-Id is echoed into logs, jobs and answers: sometimes a sane one, sometimes not.
  const requestId = fc.oneof(
    { weight: 6, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(fc.uuid(), hostileString.map((v) => headerSafe(v.slice(0, 5_000)))).map((v) => ['x-request-id', v, 'hostile'] as const) },
  );
  return fc.tuple(requestId, ...op.headerParams.map(param)).map((entries) => {
    const chosen = entries.filter((e): e is NonNullable<typeof e> => e !== null);
    const rank: Intent[] = ['valid', 'boundary', 'hostile'];
    return {
      headers: Object.fromEntries(chosen.map(([name, value]) => [name, value])),
      intent: chosen.reduce<Intent>((worst, [, , i]) => (rank.indexOf(i) > rank.indexOf(worst) ? i : worst), 'valid'),
    };
  });
}

/** One change that turns a valid body hostile. */
type Mutation = { kind: 'set'; key: string; value: unknown } | { kind: 'delete'; key: string } | { kind: 'extra'; key: string; value: unknown };

function mutationArb(schema: Schema): fc.Arbitrary<Mutation> {
  const names = Object.keys(schema.properties ?? {});
  const extraKey = fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'unknown', 'id', 'userId', 'user_id', 'isAdmin', '', ' ', ...names.map((n) => n.toUpperCase()), ...names.map((n) => `${n} `)),
    hostileString.map((s) => s.slice(0, 200)),
  );
  const options: fc.Arbitrary<Mutation>[] = [
    fc.tuple(extraKey, fc.oneof(hostileValue, fc.constant({ admin: true }), fc.constant({ prototype: { admin: true } }))).map(([key, value]) => ({ kind: 'extra' as const, key, value })),
  ];
  if (names.length > 0) {
    options.push(
      fc.constantFrom(...names).chain((key) => hostileValue.map((value) => ({ kind: 'set' as const, key, value }))),
      fc.constantFrom(...names).map((key) => ({ kind: 'delete' as const, key })),
      // A duplicate of a real key: which one wins is the parser's choice, and must not matter.
      fc.constantFrom(...names).chain((key) => hostileValue.map((value) => ({ kind: 'extra' as const, key, value }))),
    );
  }
  return fc.oneof(...options);
}

function applyMutations(base: Record<string, unknown>, mutations: Mutation[]): JsonEntries {
  let entries: [string, unknown][] = Object.entries(base);
  for (const mutation of mutations) {
    if (mutation.kind === 'delete') entries = entries.filter(([key]) => key !== mutation.key);
    else if (mutation.kind === 'set') entries = [...entries.filter(([key]) => key !== mutation.key), [mutation.key, mutation.value]];
    else entries = [...entries, [mutation.key, mutation.value]];
  }
  return new JsonEntries(entries);
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8'];
const HOSTILE_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/vnd.api+json',
  'application/json, text/plain',
  'application/jsonx',
  '',
  '*/*',
];

/** Whole bodies that are not a JSON object at all, or not JSON, or too big, or too deep. */
const MALFORMED_BODIES = [
  '',
  ' ',
  '{',
  '}',
  '{"a":}',
  "{'message':'hi'}",
  '{"message":"hi",}',
  '[1,2',
  '"unterminated',
  'nul',
  'NaN',
  'undefined',
  '{"a":1}{"b":2}',
  '{"message":"hi"} trailing',
  '\ufeff{"message":"hi"}',
  '{"message":"\\ud800"}',
  '{"message":"\\u0000"}',
  '{"message":"\\x41"}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"durationMinutes":1e309}',
  `{"durationMinutes":1${'0'.repeat(400)}}`,
  '/* comment */ {}',
];

function bodyArb(op: FuzzOperation): fc.Arbitrary<{ body: BodyPlan | undefined; intent: Intent }> {
  const spec = op.body;
  const json = (value: unknown, contentType = 'application/json'): BodyPlan => ({ contentType, text: toJsonText(value) });
  const typed = (arb: fc.Arbitrary<BodyPlan | undefined>, which: Intent) => arb.map((body) => ({ body, intent: which }));
  const wholeHostile = fc.oneof(
    fc.constantFrom(...MALFORMED_BODIES).map((text) => ({ contentType: 'application/json', text })),
    wrongTypeValue.map((value) => json(value)),
    hugeString.map((s) => json({ message: s })),
    fc.constantFrom(33, 1_000, 30_000).map((depth) => ({ contentType: 'application/json', text: nested(depth, '[', '', ']') })),
    fc.tuple(fc.constantFrom(...HOSTILE_CONTENT_TYPES), fc.oneof(fc.constant('{"message":"hi"}'), fc.constant('message=hi'), hostileString)).map(([contentType, text]) => ({ contentType, text })),
    // Bytes that are not UTF-8, and a body without any Content-Type.
    fc.constantFrom('7b226d657373616765223a22ff fe22 7d', '7b226d657373616765223a22c0af227d', '7b226d657373616765223a22eda080227d', 'fffe7b007d00', '7b7d').map((hex) => ({ contentType: 'application/json', hex: hex.replace(/ /g, '') })),
    fc.constant<BodyPlan>({ contentType: null, hex: '7b7d' }),
  );
  if (!spec) {
    // No body documented: clients may still send one.
    return fc.oneof(
      { weight: 12, arbitrary: fc.constant({ body: undefined, intent: 'valid' as Intent }) },
      ...(op.method === 'GET' || op.method === 'HEAD' ? [] : [{ weight: 1, arbitrary: typed(wholeHostile, 'hostile') }]),
    );
  }
  const schema = spec.schema;
  const valid = schema.type === 'object' || schema.properties ? validObject(schema) : validValue(schema);
  const contentType = fc.constantFrom(...JSON_TYPES);
  const withField = (which: 'boundary' | 'hostile') => {
    const names = Object.keys(schema.properties ?? {});
    if (names.length === 0) return valid.map((v) => json(v));
    return fc
      .tuple(valid, fc.constantFrom(...names))
      .chain(([base, key]) => {
        const values = valueOf(schema.properties![key]);
        return (which === 'boundary' ? values.boundary : values.hostile).map((value) => json(applyMutations(base as Record<string, unknown>, [{ kind: 'set', key, value }])));
      });
  };
  return fc.oneof(
    { weight: 5, arbitrary: typed(fc.tuple(valid, contentType).map(([v, type]) => json(v, type)), 'valid') },
    ...(spec.examples.length > 0 ? [{ weight: 4, arbitrary: typed(fc.constantFrom(...spec.examples).map((v) => json(v)), 'valid') }] : []),
    ...(spec.required ? [] : [{ weight: 2, arbitrary: typed(fc.constant(undefined), 'valid') }]),
    { weight: 3, arbitrary: typed(withField('boundary'), 'boundary') },
    { weight: 3, arbitrary: typed(withField('hostile'), 'hostile') },
    {
      weight: 3,
      arbitrary: typed(
        fc.tuple(valid, fc.array(mutationArb(schema), { minLength: 1, maxLength: 3 })).map(([base, mutations]) => json(applyMutations(base as Record<string, unknown>, mutations))),
        'hostile',
      ),
    },
    { weight: 2, arbitrary: typed(wholeHostile, 'hostile') },
  );
}

/** Claims a JWT could carry; `sub` and `org_id` are where the strangest text reaches the database. */
const weirdText = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.constantFrom(...UNICODE_STRINGS, ...INJECTION_STRINGS), fc.constantFrom(255, 256).map((n) => 's'.repeat(n)));

const freshClaims = fc.record(
  {
    sub: fc.oneof({ weight: 4, arbitrary: weirdText }, { weight: 1, arbitrary: fc.constantFrom<unknown>('', 42, null, ['a'], { a: 1 }, true) }),
    org_id: fc.oneof(weirdText, fc.constantFrom<unknown>(7, null, ['org'])),
    role: fc.constantFrom<unknown>('member', 'admin', 'root', 'ADMIN', 1, null),
  },
  { requiredKeys: ['sub'] },
);

/** Claims that must make a correctly signed token for an existing user fail (never a string org_id: that is a real, allowed change). */
const badClaims = fc.oneof(
  fc.record({ role: fc.constantFrom<unknown>('root', 'ADMIN', '', 1, null, ['admin']) }),
  fc.record({ org_id: fc.constantFrom<unknown>(7, true, ['org'], { id: 'org' }) }),
  fc.record({ sub: fc.constantFrom<unknown>('', 42, null, ['a'], 's'.repeat(256)) }),
);

const garbageHeader = fc.oneof(
  fc.constantFrom('Bearer', 'Bearer ', 'Bearer  x', 'bearer x', 'Basic YWRtaW46YWRtaW4=', 'Token abc', 'Bearer a.b.c', 'Bearer ..', 'Bearer eyJhbGciOiJub25lIn0.e30.', 'Bearer null', 'Bearer undefined', 'Bearer {}', 'Bearer eyJ'),
  hostileString.map((s) => `Bearer ${headerSafe(s.slice(0, 9_000))}`),
  fc.constantFrom(8_000, 17_000).map((n) => `Bearer ${'A'.repeat(n)}`),
);

export const authArb: fc.Arbitrary<{ auth: AuthPlan; intent: Intent }> = fc.oneof(
  { weight: 40, arbitrary: fc.constant({ auth: { kind: 'user' } as AuthPlan, intent: 'valid' as Intent }) },
  { weight: 2, arbitrary: fc.constant({ auth: { kind: 'none' } as AuthPlan, intent: 'hostile' as Intent }) },
  { weight: 2, arbitrary: garbageHeader.map((value) => ({ auth: { kind: 'header', value } as AuthPlan, intent: 'hostile' as Intent })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('expired', 'wrong-secret', 'alg-none', 'no-exp', 'not-yet-valid', 'tampered', 'bad-claims') as fc.Arbitrary<Extract<AuthPlan, { kind: 'bad-jwt' }>['variant']>, badClaims)
      .map(([variant, claims]) => ({ auth: { kind: 'bad-jwt', variant, claims } as AuthPlan, intent: 'hostile' as Intent })),
  },
  { weight: 2, arbitrary: freshClaims.map((claims) => ({ auth: { kind: 'fresh', claims } as AuthPlan, intent: 'boundary' as Intent })) },
);

/** Methods the document does not define on a path: the router must refuse them in the same error shape. */
const FOREIGN_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Every request the fuzzer may send for `op`, as `users` users take turns. */
export function requestArb(op: FuzzOperation, users: number): fc.Arbitrary<FuzzRequest> {
  const foreign = FOREIGN_METHODS.filter((m) => !op.methodsOnPath.includes(m));
  const method = fc.oneof(
    { weight: 49, arbitrary: fc.constant(op.method) },
    ...(foreign.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...foreign) }] : []),
  );
  return fc
    .record({
      method,
      path: pathArb(op),
      query: queryArb(op),
      headers: headersArb(op),
      body: bodyArb(op),
      auth: authArb,
      user: fc.nat({ max: users - 1 }),
    })
    .map(({ method: m, path, query, headers, body, auth, user }) => {
      const tags = [
        ...(m === op.method ? [] : [`method:${m}`]),
        ...path.intents.map((i) => `path:${i}`),
        ...(op.queryParams.length > 0 || query.intent !== 'valid' ? [`query:${query.intent}`] : []),
        ...(Object.keys(headers.headers).length > 0 ? [`headers:${headers.intent}`] : []),
        ...(body.body ? [`body:${body.intent}`] : []),
        `auth:${auth.auth.kind}`,
      ];
      // fetch cannot send a body with GET/HEAD.
      const plan = m === 'GET' || m === 'HEAD' ? undefined : body.body;
      return new FuzzRequest(op.id, m, path.parts, query.query, headers.headers, plan, auth.auth, user, tags);
    });
}

/** All operations, equally often. */
export function anyRequestArb(operations: FuzzOperation[], users: number): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...operations.map((op) => requestArb(op, users)));
}
