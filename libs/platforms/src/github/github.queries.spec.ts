import { readFileSync } from 'node:fs';
import { buildClientSchema, getOperationAST, getVariableValues, GraphQLSchema, IntrospectionQuery, parse, validate } from 'graphql';
import { findGithubSchemaFile } from '../../../../test/fakes/github-schema';
import * as queries from './github.queries';
import { ChangeUserStatusInput } from './github.queries';

/** GitHub's published schema, exactly as @octokit/graphql-schema ships it (the fake's copy tightens DateTime). */
function publishedSchema(): GraphQLSchema {
  const json = JSON.parse(readFileSync(findGithubSchemaFile(), 'utf8')) as IntrospectionQuery | { data: IntrospectionQuery };
  return buildClientSchema('data' in json ? json.data : json);
}

const documents: [string, string][] = Object.entries(queries as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string');

describe('GitHub GraphQL documents', () => {
  let schema: GraphQLSchema;

  beforeAll(() => {
    schema = publishedSchema();
  });

  it('finds every document github.queries.ts exports', () => {
    expect(documents.map(([name]) => name)).toEqual(expect.arrayContaining(['VIEWER_QUERY', 'CHANGE_USER_STATUS_MUTATION']));
  });

  it.each(documents)('%s validates against GitHub’s published schema', (_name, document) => {
    expect(validate(schema, parse(document)).map((e) => e.message)).toEqual([]);
    expect(getOperationAST(parse(document))?.name?.value).toEqual(expect.any(String)); // one named operation
  });

  it('ChangeUserStatusInput (every field) coerces to the schema’s ChangeUserStatusInput', () => {
    const input: Required<ChangeUserStatusInput> = { emoji: ':coffee:', message: 'Coffee', limitedAvailability: true, expiresAt: '2099-01-01T10:00:00.000Z' };
    const operation = getOperationAST(parse(queries.CHANGE_USER_STATUS_MUTATION))!;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], { input });
    expect(coerced.errors?.map((e) => e.message)).toBeUndefined();
    expect(getVariableValues(schema, operation.variableDefinitions ?? [], { input: { busy: true } }).errors).toHaveLength(1);
  });

  it('the check can fail: the input flag name used as an output field is refused', () => {
    const wrong = 'query { viewer { status { limitedAvailability } } }';
    const errors = validate(schema, parse(wrong)).map((e) => e.message);
    expect(errors).toEqual([expect.stringContaining('Cannot query field "limitedAvailability" on type "UserStatus"')]);
  });
});
