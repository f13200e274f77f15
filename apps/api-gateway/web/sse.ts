/**
 * Server-Sent Events over fetch. EventSource cannot send an Authorization header, and putting the token in
 * the URL would leave it in logs and history; fetch sends the header, and this reads the stream itself:
 * events, `retry`, and Last-Event-ID on reconnect (the gateway replays what was missed).
 */
import { SseEvent, SseParser } from './sse-parser.js';

export type { SseEvent };

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'stopped';

export interface StreamOptions {
  url: string;
  token: string;
  onEvent: (event: SseEvent) => void;
  onState?: (state: StreamState, detail?: string) => void;
}

/** A refusal (bad token, no access) will not change by retrying: stop instead. */
const FINAL = new Set([400, 401, 403, 404]);

/** Follows the stream until `close()` is called, reconnecting (and resuming) when it drops. */
export function followStream(options: StreamOptions): { close(): void } {
  const parser = new SseParser();
  let controller: AbortController | null = null;
  let closed = false;
  let timer: number | undefined;
  const state = (value: StreamState, detail?: string) => options.onState?.(value, detail);

  const connect = async (): Promise<void> => {
    controller = new AbortController();
    const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${options.token}` };
    if (parser.lastEventId) headers['last-event-id'] = parser.lastEventId;
    try {
      const response = await fetch(options.url, { headers, signal: controller.signal, cache: 'no-store' });
      if (FINAL.has(response.status)) {
        closed = true;
        return state('stopped', `HTTP ${response.status}`);
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      state('open');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value, options.onEvent);
      }
    } catch (error) {
      if (closed) return;
      state('reconnecting', error instanceof Error ? error.message : String(error));
    }
    if (!closed) {
      state('reconnecting');
      timer = window.setTimeout(() => void connect(), parser.retryMs ?? 2000);
    }
  };

  state('connecting');
  void connect();
  return {
    close() {
      closed = true;
      window.clearTimeout(timer);
      controller?.abort();
    },
  };
}
