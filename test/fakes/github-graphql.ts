/**
 * `POST /graphql` of the GitHub fake. Every document is parsed, validated against GitHub's
 * published schema and executed with graphql-js, so only requested fields come back and aliases,
 * fragments, variables and __typename behave as on GitHub. Implemented: changeUserStatus,
 * viewer { login status }, user(login:) { status }, rateLimit; any other valid field resolves to null.
 */
import {
  DocumentNode,
  execute,
  FieldNode,
  FragmentDefinitionNode,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLFieldResolver,
  Kind,
  OperationDefinitionNode,
  parse,
  SelectionSetNode,
  SourceLocation,
  validate,
} from 'graphql';
import { IncomingHttpHeaders } from 'node:http';
import { githubSchema } from './github-schema';
import { GithubFailureMode, GithubFailureOptions, GithubRequestRecord, GithubState, RateBucket, StoredStatus } from './github-state';
import { FakeHandlerResult, FakeReply, FakeRequest, FakeRoute, HANG, isPlainObject, jsonReply } from './http-helpers';

const DOCS = 'https://docs.github.com/graphql';
export const BAD_CREDENTIALS = { message: 'Bad credentials', documentation_url: DOCS };
export const REQUIRES_AUTHENTICATION = {
  message: 'This endpoint requires you to be authenticated.',
  documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
};
const SECONDARY_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:FAKE:0000000:0000000:00000000.';
const SECONDARY_DOCS = 'https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#secondary-rate-limits';
const SOMETHING_WENT_WRONG =
  'Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `0000:FAKE:0000000:0000000:00000000` when reporting this issue.';
const QUERY_COST = 1;
const MUTATION_COST = 5;

export function githubGraphqlRoutes(state: GithubState): FakeRoute[] {
  return [{ method: 'POST', path: '/graphql', api: true, handle: (req) => handleGraphql(state, req) }];
}

/** `Authorization: token X` / `bearer X` (scheme case-insensitive). */
export function githubToken(headers: IncomingHttpHeaders): string | null {
  const match = /^(token|bearer)\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match ? match[2] : null;
}

export function rateHeaders(bucket: RateBucket, overrides: Partial<RateBucket> = {}): Record<string, string> {
  const b = { ...bucket, ...overrides };
  return {
    'x-ratelimit-limit': String(b.limit),
    'x-ratelimit-remaining': String(b.remaining),
    'x-ratelimit-used': String(b.used),
    'x-ratelimit-reset': String(Math.ceil(b.resetAtMs / 1000)),
    'x-ratelimit-resource': 'graphql',
  };
}

interface GraphqlBody {
  query: string;
  variables: Record<string, unknown> | null;
  operationName: string | null;
}

function parseGraphqlBody(raw: Buffer): { json: unknown; body: GraphqlBody | null } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { json: undefined, body: null };
  }
  if (!isPlainObject(json) || typeof json.query !== 'string') return { json, body: null };
  const { variables, operationName } = json;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return { json, body: null };
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return { json, body: null };
  return { json, body: { query: json.query, variables: (variables as Record<string, unknown> | null | undefined) ?? null, operationName: (operationName as string | null | undefined) ?? null } };
}

async function handleGraphql(state: GithubState, req: FakeRequest): Promise<FakeHandlerResult> {
  const { json, body } = parseGraphqlBody(req.body);
  const loose = isPlainObject(json) ? json : {};
  const token = githubToken(req.headers);
  const record: GithubRequestRecord = {
    at: req.receivedAt,
    token,
    login: null,
    query: typeof loose.query === 'string' ? loose.query : null,
    variables: isPlainObject(loose.variables) ? loose.variables : null,
    operationName: typeof loose.operationName === 'string' ? loose.operationName : null,
    operationType: null,
    validationErrors: [],
    responseStatus: null,
    responseBody: undefined,
    failure: null,
    applied: false,
  };
  state.requests.push(record);
  const finish = (reply: FakeReply): FakeReply => {
    record.responseStatus = reply.status;
    record.responseBody = reply.json ?? reply.text;
    return reply;
  };

  // 1. Authentication.
  const user = token ? state.resolveToken(token) : null;
  if (!token || !user) {
    const anonymous = rateHeaders({ limit: 0, remaining: 0, used: 0, resetAtMs: state.now() + 3_600_000 });
    return finish(jsonReply(401, req.headers.authorization ? BAD_CREDENTIALS : REQUIRES_AUTHENTICATION, anonymous));
  }
  record.login = user.login;

  // 2. Canned failures, in order, one per request.
  const failure = state.failures.shift();
  if (failure) {
    record.failure = failure.mode;
    const reply = failureReply(state, token, failure.mode, failure.opts, body);
    return reply === HANG ? HANG : finish(reply);
  }

  // 3. Body shape.
  if (!body) return finish(jsonReply(400, { message: 'Problems parsing JSON', documentation_url: DOCS }, rateHeaders(state.bucket(token))));

  // 4. Parse, validate against the schema, pick the operation, coerce variables.
  const schema = githubSchema();
  const invalid = (errors: ReadonlyArray<GraphQLError>): FakeReply => {
    record.validationErrors = errors.map((e) => e.message);
    return finish(jsonReply(200, { errors: errors.map(formatError) }, rateHeaders(state.bucket(token))));
  };
  const checked = checkedDocument(body.query);
  if ('errors' in checked) return invalid(checked.errors);
  const { document } = checked;
  const operation = getOperationAST(document, body.operationName);
  if (!operation) return invalid([new GraphQLError(operationSelectionError(document, body.operationName))]);
  record.operationType = operation.operation;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], body.variables ?? {});
  if (coerced.errors) return invalid(coerced.errors);

  // 5. Scopes (checked statically, like GitHub: errors only, no data).
  if (operation.operation === 'mutation' && !user.scopes.includes('user')) {
    const field = rootFields(document, operation).find((f) => f.name.value === 'changeUserStatus');
    if (field) {
      const granted = user.scopes.length > 0 ? user.scopes.map((s) => `'${s}'`).join(', ') : "''";
      const message =
        "Your token has not been granted the required scopes to execute this query. The 'changeUserStatus' field requires one of the following scopes: ['user'], " +
        `but your token has only been granted the: [${granted}] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.`;
      return finish(jsonReply(200, { errors: [{ type: 'INSUFFICIENT_SCOPES', locations: locationsOf(field), message }] }, rateHeaders(state.bucket(token))));
    }
  }

  // 6. Primary rate limit: a query costs 1 point, a mutation 5.
  const cost = operation.operation === 'mutation' ? MUTATION_COST : QUERY_COST;
  if (!state.charge(token, cost)) {
    return finish(jsonReply(200, { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] }, rateHeaders(state.bucket(token))));
  }

  // 7. Execute.
  const context: ExecContext = { state, login: user.login, token, record, cost };
  const result = await execute({
    schema,
    document,
    rootValue: ROOT,
    contextValue: context,
    variableValues: body.variables ?? {},
    operationName: body.operationName,
    fieldResolver,
  });
  const answer: Record<string, unknown> = {};
  if (result.data !== undefined) answer.data = result.data;
  if (result.errors && result.errors.length > 0) answer.errors = result.errors.map(formatError);
  return finish(jsonReply(200, answer, rateHeaders(state.bucket(token))));
}

/**
 * Parsing and validation depend on the document's text alone (the schema is fixed), and a client sends the same few
 * documents again and again: each distinct text is checked once. In the benchmark graphql-js' validation was half of
 * the fakes' CPU, on the machine the measured services run on; GitHub's CPU is not on ours.
 */
const checkedDocuments = new Map<string, { document: DocumentNode } | { errors: readonly GraphQLError[] }>();
const MAX_CHECKED_DOCUMENTS = 1_000;

function checkedDocument(query: string): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
  const known = checkedDocuments.get(query);
  if (known) return known;
  let checked: { document: DocumentNode } | { errors: readonly GraphQLError[] };
  try {
    const document = parse(query);
    const errors = validate(githubSchema(), document);
    checked = errors.length > 0 ? { errors } : { document };
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    checked = { errors: [err] };
  }
  // Fuzzed documents are all different: a full cache starts again rather than grow.
  if (checkedDocuments.size >= MAX_CHECKED_DOCUMENTS) checkedDocuments.clear();
  checkedDocuments.set(query, checked);
  return checked;
}

function failureReply(state: GithubState, token: string, mode: GithubFailureMode, opts: GithubFailureOptions, body: GraphqlBody | null): FakeHandlerResult {
  const bucket = state.bucket(token);
  const retryAfter = String(opts.retryAfterSeconds ?? 1);
  switch (mode) {
    case 'rate_limited': {
      const resetAtMs = state.now() + (opts.resetInSeconds ?? 2) * 1000;
      return jsonReply(
        200,
        { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] },
        rateHeaders(bucket, { remaining: 0, used: bucket.limit, resetAtMs }),
      );
    }
    case 'secondary_403':
      return jsonReply(403, { message: SECONDARY_MESSAGE, documentation_url: SECONDARY_DOCS }, { ...rateHeaders(bucket), 'retry-after': retryAfter });
    case 'secondary_200':
      return jsonReply(200, { errors: [{ message: SECONDARY_MESSAGE }] }, { ...rateHeaders(bucket), 'retry-after': retryAfter });
    case 'bad_gateway':
      return jsonReply(502, { data: null, errors: [{ message: SOMETHING_WENT_WRONG }] }, rateHeaders(bucket));
    case 'hang':
      return HANG;
    case 'partial': {
      const keys = body ? topLevelKeys(body.query, body.operationName) : [];
      const data = keys.length > 0 ? Object.fromEntries(keys.map((k) => [k, null])) : null;
      const errors = (keys.length > 0 ? keys : [null]).map((k) => ({ ...(k ? { path: [k] } : {}), message: SOMETHING_WENT_WRONG }));
      return jsonReply(200, { data, errors }, rateHeaders(bucket));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Execution: a root value plus a resolver that reads (or calls) properties of plain objects.

interface ExecContext {
  state: GithubState;
  login: string;
  token: string;
  record: GithubRequestRecord;
  cost: number;
}

interface ChangeUserStatusInput {
  clientMutationId?: string | null;
  emoji?: string | null;
  expiresAt?: Date | null;
  limitedAvailability?: boolean | null;
  message?: string | null;
  organizationId?: string | null;
}

type Resolver = (args: Record<string, unknown>, ctx: ExecContext) => unknown;

/** Anything not listed (valid in the schema, not implemented here) resolves to null. */
const fieldResolver: GraphQLFieldResolver<unknown, ExecContext> = (source, args, ctx, info) => {
  if (!isPlainObject(source)) return null;
  const value = source[info.fieldName];
  if (typeof value === 'function') return (value as Resolver)(args as Record<string, unknown>, ctx);
  return value === undefined ? null : value;
};

const ROOT: Record<string, Resolver> = {
  viewer: (_args, ctx) => userNode(ctx.state, ctx.login),
  user: (args, ctx) => {
    const requested = String(args.login);
    const login = ctx.state.knownLogin(requested) ?? (ctx.state.options.acceptAnyToken ? requested : null);
    if (!login) throw typedError('NOT_FOUND', `Could not resolve to a User with the login of '${requested}'.`);
    return userNode(ctx.state, login);
  },
  rateLimit: (_args, ctx) => {
    const b = ctx.state.bucket(ctx.token);
    return { __typename: 'RateLimit', limit: b.limit, remaining: b.remaining, used: b.used, resetAt: new Date(b.resetAtMs), cost: ctx.cost, nodeCount: 1 };
  },
  changeUserStatus: (args, ctx) => changeUserStatus(ctx, (args.input ?? {}) as ChangeUserStatusInput),
};

function changeUserStatus(ctx: ExecContext, input: ChangeUserStatusInput): unknown {
  const { state } = ctx;
  const message = input.message === '' ? null : (input.message ?? null);
  if (message !== null && [...message].length > state.messageMaxLength) {
    throw typedError('UNPROCESSABLE', `Message is too long (maximum is ${state.messageMaxLength} characters)`);
  }
  let emoji = input.emoji === '' ? null : (input.emoji ?? null);
  const allow = state.options.emoji;
  if (emoji !== null && allow && !allow.includes(emoji)) {
    if (state.options.unknownEmoji === 'error') throw typedError('UNPROCESSABLE', `Emoji ${emoji} is not a valid emoji`);
    emoji = null;
  }
  const clientMutationId = input.clientMutationId ?? null;
  ctx.record.applied = true;
  if (emoji === null && message === null) {
    state.clear(ctx.login);
    if (state.options.clearedStatus === 'empty') {
      const now = state.now();
      const empty: StoredStatus = { login: ctx.login, emoji: null, message: null, limited: false, expiresAtMs: null, createdAtMs: now, updatedAtMs: now, id: 'US_kwDOAAAAAA', organizationId: null };
      return { clientMutationId, status: statusNode(state, empty) };
    }
    return { clientMutationId, status: null };
  }
  const stored = state.write(ctx.login, {
    emoji,
    message,
    limited: input.limitedAvailability ?? false,
    expiresAtMs: input.expiresAt ? input.expiresAt.getTime() : null,
    organizationId: input.organizationId ?? null,
  });
  return { clientMutationId, status: statusNode(state, stored) };
}

function userNode(state: GithubState, login: string): Record<string, unknown> {
  return {
    __typename: 'User',
    login,
    id: `U_kgDO${Buffer.from(login.toLowerCase()).toString('base64url')}`,
    name: null,
    email: '',
    url: `https://github.com/${login}`,
    resourcePath: `/${login}`,
    avatarUrl: `https://avatars.githubusercontent.com/${login}`,
    status: () => {
      const s = state.stored(login);
      return s ? statusNode(state, s) : null;
    },
  };
}

function statusNode(state: GithubState, s: StoredStatus): Record<string, unknown> {
  return {
    __typename: 'UserStatus',
    id: s.id,
    emoji: s.emoji,
    emojiHTML: null,
    message: s.message,
    indicatesLimitedAvailability: s.limited,
    expiresAt: s.expiresAtMs === null ? null : new Date(s.expiresAtMs),
    createdAt: new Date(s.createdAtMs),
    updatedAt: new Date(s.updatedAtMs),
    organization: null,
    user: () => userNode(state, s.login),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers.

function typedError(type: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type } });
}

/** GitHub puts `type` at the top level of an error, next to path/locations/message. */
export function formatError(error: GraphQLError): Record<string, unknown> {
  const { type, ...extensions } = (error.extensions ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (typeof type === 'string') out.type = type;
  if (error.path) out.path = error.path;
  if (error.locations) out.locations = error.locations;
  out.message = error.message;
  if (Object.keys(extensions).length > 0) out.extensions = extensions;
  return out;
}

function locationsOf(node: FieldNode): SourceLocation[] | undefined {
  const loc = node.loc;
  if (!loc) return undefined;
  const before = loc.source.body.slice(0, loc.start).split('\n');
  return [{ line: before.length, column: before[before.length - 1].length + 1 }];
}

function operationSelectionError(document: DocumentNode, name: string | null): string {
  if (name) return `Unknown operation named "${name}".`;
  const count = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  return count > 1 ? 'Must provide operation name if query contains multiple operations.' : 'Must provide an operation.';
}

/** Top-level fields of an operation, through fragments and inline fragments. */
function rootFields(document: DocumentNode, operation: OperationDefinitionNode): FieldNode[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const out: FieldNode[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) out.push(sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const frag = fragments.get(sel.name.value);
        if (frag) walk(frag.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return out;
}

/** Response keys (aliases or names) of the operation's top-level fields; [] when unparseable. */
function topLevelKeys(query: string, operationName: string | null): string[] {
  try {
    const document = parse(query);
    const operation = getOperationAST(document, operationName);
    if (!operation) return [];
    const keys = rootFields(document, operation)
      .map((f) => (f.alias ?? f.name).value)
      .filter((k) => k !== '__typename');
    return [...new Set(keys)];
  } catch {
    return [];
  }
}
