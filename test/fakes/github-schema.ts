/**
 * GitHub's published GraphQL schema (from @octokit/graphql-schema), built once per process.
 *
 * The package is ESM-only with an import-only export map, so it is never imported: its
 * `schema.json` (introspection result) is located on disk by walking up from this file and built
 * with graphql's buildClientSchema. The DateTime scalar is made strict (ISO-8601 in, ISO-8601 out)
 * so that a bad `expiresAt` is rejected the way GitHub rejects it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildClientSchema, GraphQLError, GraphQLScalarType, GraphQLSchema, IntrospectionQuery, Kind } from 'graphql';

const SCHEMA_FILE = join('node_modules', '@octokit', 'graphql-schema', 'schema.json');

let cached: GraphQLSchema | undefined;

export function findGithubSchemaFile(from: string = __dirname): string {
  const starts = [from, process.cwd()];
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, SCHEMA_FILE);
      if (existsSync(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(`GitHub fake: cannot find ${SCHEMA_FILE} above ${from} or ${process.cwd()} (is @octokit/graphql-schema installed?)`);
}

export function githubSchema(): GraphQLSchema {
  if (!cached) {
    const introspection = JSON.parse(readFileSync(findGithubSchemaFile(), 'utf8')) as IntrospectionQuery | { data: IntrospectionQuery };
    const schema = buildClientSchema('data' in introspection ? introspection.data : introspection);
    makeDateTimeStrict(schema);
    cached = schema;
  }
  return cached;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** GitHub serialises DateTime without milliseconds: 2026-11-24T10:00:00Z. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_8601.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`Could not coerce value ${JSON.stringify(value)} to DateTime`);
  }
  return new Date(value);
}

function makeDateTimeStrict(schema: GraphQLSchema): void {
  const type = schema.getType('DateTime');
  if (!(type instanceof GraphQLScalarType)) return;
  type.parseValue = parseDateTime;
  type.parseLiteral = (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError(`Could not coerce value to DateTime`);
    return parseDateTime(ast.value);
  };
  type.serialize = (value) => {
    if (value instanceof Date) return formatDateTime(value.getTime());
    if (typeof value === 'number') return formatDateTime(value);
    if (typeof value === 'string') return value;
    throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
  };
}
