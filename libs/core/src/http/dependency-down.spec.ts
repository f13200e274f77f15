import { QueryRunnerProviderAlreadyReleasedError, QueryFailedError } from 'typeorm';
import { isDependencyDown } from './dependency-down';

describe('isDependencyDown', () => {
  it('recognises a connection Postgres dropped in the middle of a transaction', () => {
    expect(isDependencyDown(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
  });

  it('recognises refused connections and Postgres shutting down, also when wrapped', () => {
    expect(isDependencyDown(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect(isDependencyDown(new QueryFailedError('SELECT 1', [], shutdown))).toBe(true);
  });

  it('does not take a query the database refused for its content as an outage', () => {
    const unique = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    expect(isDependencyDown(new QueryFailedError('INSERT', [], unique))).toBe(false);
    expect(isDependencyDown(new Error('something else'))).toBe(false);
  });
});
