import { StatementBatcher } from './statement-batcher';

/** A statement whose calls the test sees and answers when it likes. */
function fakeStatement(limits = { maxInFlight: 1, maxBatch: 3 }) {
  const sent: { kind: 'one' | 'many'; items: number[]; answer(fail?: boolean): void }[] = [];
  const call = (kind: 'one' | 'many', items: number[]) =>
    new Promise<any>((resolve, reject) => {
      sent.push({ kind, items, answer: (fail = false) => (fail ? reject(new Error(`${kind} ${items} failed`)) : resolve(kind === 'one' ? items[0] * 10 : items.map((i) => i * 10))) });
    });
  const batcher = new StatementBatcher<number, number>({ one: (item) => call('one', [item]), many: (items) => call('many', items), ...limits });
  return { batcher, sent };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
/** Lets the event loop turn until `sent` has `count` statements (a few turns at most), then returns. */
async function sentCount(sent: unknown[], count: number): Promise<void> {
  for (let i = 0; i < 10 && sent.length < count; i++) await turn();
}

describe('StatementBatcher', () => {
  it('sends a lone request as the single statement', async () => {
    const { batcher, sent } = fakeStatement();
    const answer = batcher.run(4);
    await turn();
    expect(sent.map(({ kind, items }) => ({ kind, items }))).toEqual([{ kind: 'one', items: [4] }]);
    sent[0].answer();
    await expect(answer).resolves.toBe(40);
  });

  it('sends the requests of one turn together and answers each its own', async () => {
    const { batcher, sent } = fakeStatement();
    const answers = [1, 2, 3].map((item) => batcher.run(item));
    await turn();
    expect(sent.map(({ kind, items }) => ({ kind, items }))).toEqual([{ kind: 'many', items: [1, 2, 3] }]);
    sent[0].answer();
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30]);
  });

  it('gathers requests while the batches in flight are at the limit, and sends them when one comes back', async () => {
    const { batcher, sent } = fakeStatement({ maxInFlight: 1, maxBatch: 10 });
    const first = batcher.run(1);
    await turn();
    const later = [2, 3].map((item) => batcher.run(item));
    await turn();
    await turn();
    expect(sent).toHaveLength(1);
    sent[0].answer();
    await first;
    await sentCount(sent, 2);
    expect(sent.map(({ kind, items }) => ({ kind, items }))).toEqual([{ kind: 'one', items: [1] }, { kind: 'many', items: [2, 3] }]);
    sent[1].answer();
    await expect(Promise.all(later)).resolves.toEqual([20, 30]);
  });

  it('splits what waits into batches of at most maxBatch, up to maxInFlight at once', async () => {
    const { batcher, sent } = fakeStatement({ maxInFlight: 2, maxBatch: 2 });
    const answers = [1, 2, 3, 4, 5].map((item) => batcher.run(item));
    await turn();
    expect(sent.map(({ items }) => items)).toEqual([[1, 2], [3, 4]]);
    sent[0].answer();
    await sentCount(sent, 3);
    expect(sent.map(({ items }) => items)).toEqual([[1, 2], [3, 4], [5]]);
    sent[1].answer();
    sent[2].answer();
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  it('sends the requests of a failed batch one by one, so each caller gets its own answer or error', async () => {
    const { batcher, sent } = fakeStatement();
    const answers = [1, 2].map((item) => batcher.run(item).catch((error: Error) => error.message));
    await turn();
    sent[0].answer(true);
    await sentCount(sent, 3);
    expect(sent.slice(1).map(({ kind, items }) => ({ kind, items }))).toEqual([{ kind: 'one', items: [1] }, { kind: 'one', items: [2] }]);
    sent[1].answer();
    sent[2].answer(true);
    await expect(Promise.all(answers)).resolves.toEqual([10, 'one 2 failed']);
  });
});
