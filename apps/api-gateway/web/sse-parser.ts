/**
 * The text/event-stream format (WHATWG HTML, "Server-sent events"): no DOM here, so the unit tests run it in Node.
 */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/** Splits a text/event-stream into events; feed it chunks, it keeps the unfinished tail. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  lastEventId: string | null = null;
  retryMs: number | null = null;

  push(chunk: string, emit: (event: SseEvent) => void): void {
    this.buffer += chunk;
    // A CR at the very end may be the first half of a CRLF split between chunks: keep it for the next one.
    const held = this.buffer.endsWith('\r') ? 1 : 0;
    const lines = this.buffer.slice(0, this.buffer.length - held).split(/\r\n|\r|\n/);
    this.buffer = (lines.pop() ?? '') + (held ? '\r' : '');
    for (const line of lines) this.line(line, emit);
  }

  private line(line: string, emit: (event: SseEvent) => void): void {
    if (line === '') {
      if (this.data.length > 0) {
        if (this.id !== null) this.lastEventId = this.id;
        emit({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
      }
      this.data = [];
      this.event = '';
      this.id = null;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}
