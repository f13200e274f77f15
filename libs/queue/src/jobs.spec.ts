import { jobHandlerTable, JobHandler, WORKER_JOB_NAMES } from './jobs';

const handler = (name: string): JobHandler => ({ name, handle: async () => undefined }) as unknown as JobHandler;

describe('jobHandlerTable: exactly one handler per job name, checked at start-up', () => {
  it('maps every job name to its handler', () => {
    const table = jobHandlerTable(WORKER_JOB_NAMES.map(handler));
    expect([...table.keys()].sort()).toEqual([...WORKER_JOB_NAMES].sort());
  });

  it('refuses a job name without a handler, one with two, and a handler for an unknown name', () => {
    expect(() => jobHandlerTable([handler('sync-status')])).toThrow('job "read-status" has 0 handlers');
    expect(() => jobHandlerTable([...WORKER_JOB_NAMES.map(handler), handler('sync-status')])).toThrow('job "sync-status" has 2 handlers');
    expect(() => jobHandlerTable([...WORKER_JOB_NAMES.map(handler), handler('nope')])).toThrow('handler for unknown job "nope"');
  });
});
