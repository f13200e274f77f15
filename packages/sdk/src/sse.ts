/** One Server-Sent Event. `data` is parsed as JSON when it is JSON. */
export interface ServerSentEvent<T = unknown> {
  id?: string;
  event: string;
  data: T;
}

export interface StreamOptions {
  /** Resume after this event id (the API replays what came after it). */
  lastEventId?: string;
  signal?: AbortSignal;
  /** Called once the server accepted the stream, before any event (a quiet stream is still open). */
  onOpen?: () => void;
}

/** Parses one event block (the lines between two blank lines); comments (`: heartbeat`) give undefined. */
export function parseEventBlock(block: string): ServerSentEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  const text = data.join('\n');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { id, event, data: parsed };
}

/**
 * Reads an event stream from a fetch Response body. fetch rather than EventSource: EventSource cannot send an
 * Authorization header. Ends when the server closes the stream or the signal aborts.
 */
export async function* readEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read().catch((error: unknown) => {
        if (signal?.aborted) return { value: undefined, done: true as const };
        throw error;
      });
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: RegExpExecArray | null;
      while ((end = /\r?\n\r?\n/.exec(buffer))) {
        const event = parseEventBlock(buffer.slice(0, end.index));
        buffer = buffer.slice(end.index + end[0].length);
        if (event) yield event;
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    cancel();
  }
}
