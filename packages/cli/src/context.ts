import { createStatusyncClient, type StatusyncClient } from '@statusync/sdk';
import { loadConfig } from './config';
import { createOutput, type Output } from './output';

export interface GlobalOptions {
  json?: boolean;
  apiUrl?: string;
  token?: string;
}

export interface Context {
  client: StatusyncClient;
  out: Output;
}

/** The client (from the saved login, or --api-url/--token) and the output mode, for a command that calls the API. */
export function contextFrom(options: GlobalOptions): Context {
  const config = loadConfig({ apiUrl: options.apiUrl, token: options.token });
  return { client: createStatusyncClient({ baseUrl: config.apiUrl, token: config.token }), out: createOutput(Boolean(options.json)) };
}
