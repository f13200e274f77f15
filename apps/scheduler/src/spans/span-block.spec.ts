import type { SpanRow } from '@statusync/db';
import { blockEnd, coveringAtEnd } from './span-block';

const status = { emoji: ':x:', message: 'm', limitedAvailability: true };
const span = (id: string, from: number, to: number): SpanRow => ({
  id,
  userId: 'u',
  source: 'schedule',
  sourceId: 's',
  occurrenceKey: id,
  startsAt: new Date(from * 60_000),
  endsAt: new Date(to * 60_000),
  status,
  platforms: null,
  cancelledAt: null,
});

describe('span blocks', () => {
  const a = span('a', 0, 30);
  const b = span('b', 30, 60); // back-to-back with a
  const c = span('c', 45, 90); // overlaps b
  const d = span('d', 100, 120); // after a gap
  const all = [a, b, c, d];

  it('chains touching and overlapping spans into one block', () => {
    expect(blockEnd(all, a).getTime()).toBe(90 * 60_000);
    expect(blockEnd(all, d).getTime()).toBe(120 * 60_000);
  });

  it('finds the spans that carry the block on at a span end', () => {
    expect(coveringAtEnd(all, a).map((s) => s.id)).toEqual(['b']);
    expect(coveringAtEnd(all, b).map((s) => s.id)).toEqual(['c']);
    expect(coveringAtEnd(all, c)).toEqual([]);
  });
});
