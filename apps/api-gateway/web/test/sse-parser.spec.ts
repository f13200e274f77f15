import { SseEvent, SseParser } from '../sse-parser';

/** Feeds `chunks` one after the other, as a network would deliver them. */
function parse(chunks: string[], parser = new SseParser()): SseEvent[] {
  const events: SseEvent[] = [];
  for (const chunk of chunks) parser.push(chunk, (event) => events.push(event));
  return events;
}

describe('SseParser (the web page reads SSE over fetch)', () => {
  it('reads what the gateway sends: retry, comments, id, event and data', () => {
    const parser = new SseParser();
    const events = parse(['retry: 2000\n: connected\n\n', 'id: 1-0\nevent: delivery\ndata: {"state":"succeeded"}\n\n', ': heartbeat\n\n'], parser);
    expect(events).toEqual([{ id: '1-0', event: 'delivery', data: '{"state":"succeeded"}' }]);
    expect(parser.retryMs).toBe(2000);
    expect(parser.lastEventId).toBe('1-0');
  });

  it('joins an event split anywhere across chunks, CRLF included', () => {
    const whole = 'id: 7-1\r\nevent: availability\r\ndata: {"subject":"alice"}\r\n\r\n';
    for (let cut = 1; cut < whole.length; cut++) {
      expect(parse([whole.slice(0, cut), whole.slice(cut)])).toEqual([{ id: '7-1', event: 'availability', data: '{"subject":"alice"}' }]);
    }
  });

  it('joins data lines with newlines, defaults the event name, and dispatches nothing without data', () => {
    expect(parse(['data: one\ndata:two\n\nevent: empty\n\n'])).toEqual([{ id: null, event: 'message', data: 'one\ntwo' }]);
  });

  it('keeps the last id seen for Last-Event-ID, and ignores a retry that is not a number', () => {
    const parser = new SseParser();
    parse(['id: 1-0\ndata: a\n\nretry: soon\ndata: b\n\n'], parser);
    expect(parser.lastEventId).toBe('1-0');
    expect(parser.retryMs).toBeNull();
  });
});
