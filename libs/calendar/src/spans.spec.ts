import { buildSpans } from './spans';

const t = (hhmm: string) => Date.parse(`2026-03-02T${hhmm}:00Z`);
const iso = (hhmm: string) => new Date(t(hhmm)).toISOString();

describe('buildSpans', () => {
  it('merges touching and overlapping intervals into one span', () => {
    const spans = buildSpans(
      [
        { start: t('09:00'), end: t('10:00'), kind: 'meeting' },
        { start: t('10:00'), end: t('10:30'), kind: 'meeting' },
        { start: t('10:15'), end: t('11:00'), kind: 'meeting' },
        { start: t('12:00'), end: t('13:00'), kind: 'meeting' },
      ],
      t('00:00'),
      t('23:59'),
    );
    expect(spans.map((s) => [s.start, s.end])).toEqual([
      [iso('09:00'), iso('11:00')],
      [iso('12:00'), iso('13:00')],
    ]);
  });

  it('clips to [from, to) and drops what falls outside', () => {
    const spans = buildSpans([{ start: t('08:00'), end: t('10:00'), kind: 'meeting' }, { start: t('12:00'), end: t('13:00'), kind: 'meeting' }], t('09:00'), t('12:00'));
    expect(spans.map((s) => [s.start, s.end])).toEqual([[iso('09:00'), iso('10:00')]]);
  });

  it('gives a mixed span its highest-priority kind and segments by priority', () => {
    const [span] = buildSpans(
      [
        { start: t('09:00'), end: t('12:00'), kind: 'focus' },
        { start: t('10:00'), end: t('11:00'), kind: 'meeting' },
        { start: t('12:00'), end: t('13:00'), kind: 'out_of_office' },
      ],
      t('00:00'),
      t('23:59'),
    );
    expect(span.kind).toBe('out_of_office');
    expect(span.segments).toEqual([
      { start: iso('09:00'), end: iso('10:00'), kind: 'focus' },
      { start: iso('10:00'), end: iso('11:00'), kind: 'meeting' },
      { start: iso('11:00'), end: iso('12:00'), kind: 'focus' },
      { start: iso('12:00'), end: iso('13:00'), kind: 'out_of_office' },
    ]);
  });
});
