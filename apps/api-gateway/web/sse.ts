/**
 * Follows one of the API's event streams through the SDK (fetch with the Authorization header: EventSource cannot
 * send it, and a token in the URL would land in logs and history), reconnecting when it drops and resuming with
 * Last-Event-ID (the gateway replays what was missed).
 */
import { StatusyncError, type ServerSentEvent, type StreamOptions as SdkStreamOptions } from '@statusync/sdk';

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'stopped';

export interface StreamOptions {
  /** Opens the stream, e.g. `(options) => client.teams.stream(id, options)`. */
  open: (options: SdkStreamOptions) => AsyncGenerator<ServerSentEvent>;
  onEvent: (event: ServerSentEvent) => void;
  onState?: (state: StreamState, detail?: string) => void;
}

/** A refusal (bad token, no access) will not change by retrying: stop instead. */
const FINAL = new Set([400, 401, 403, 404]);
const RECONNECT_MS = 2_000;

/** Follows the stream until `close()` is called. */
export function followStream(options: StreamOptions): { close(): void } {
  let controller: AbortController | null = null;
  let lastEventId: string | undefined;
  let closed = false;
  let timer: number | undefined;
  const state = (value: StreamState, detail?: string) => options.onState?.(value, detail);

  const connect = async (): Promise<void> => {
    controller = new AbortController();
    try {
      const events = options.open({ lastEventId, signal: controller.signal, onOpen: () => state('open') });
      for await (const event of events) {
        if (event.id) lastEventId = event.id;
        options.onEvent(event);
      }
    } catch (error) {
      if (closed) return;
      if (error instanceof StatusyncError && FINAL.has(error.status)) {
        closed = true;
        return state('stopped', `HTTP ${error.status}`);
      }
      state('reconnecting', error instanceof Error ? error.message : String(error));
    }
    if (!closed) {
      state('reconnecting');
      timer = window.setTimeout(() => void connect(), RECONNECT_MS);
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
