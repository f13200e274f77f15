import { streamInfoOf, trimmedSince } from './stream-resume';

describe('trimmedSince', () => {
  const info = { firstId: '30-0', lastGeneratedId: '50-0' };

  it('is true for an id before the first entry left (trimmed, or the stream began again), false from it on', () => {
    expect(trimmedSince(info, '10-0')).toBe(true);
    expect(trimmedSince(info, '29-9')).toBe(true);
    expect(trimmedSince(info, '30-0')).toBe(false);
    expect(trimmedSince(info, '40-0')).toBe(false);
    expect(trimmedSince(info, '50-0')).toBe(false);
  });

  it('compares with the last id made when every entry was trimmed', () => {
    const empty = { firstId: null, lastGeneratedId: '50-0' };
    expect(trimmedSince(empty, '49-0')).toBe(true);
    expect(trimmedSince(empty, '50-0')).toBe(false);
  });
});

describe('streamInfoOf', () => {
  it("reads XINFO STREAM's flat answer", () => {
    const reply = ['length', 2, 'radix-tree-keys', 1, 'last-generated-id', '9-1', 'entries-added', 4, 'first-entry', ['8-0', ['event', '{}']], 'last-entry', ['9-1', []]];
    expect(streamInfoOf(reply)).toEqual({ firstId: '8-0', lastGeneratedId: '9-1' });
    expect(streamInfoOf(['length', 0, 'last-generated-id', '9-1', 'first-entry', null]).firstId).toBeNull();
  });
});
