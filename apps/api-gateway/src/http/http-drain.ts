import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * On SIGTERM, stop taking requests and let the ones in flight finish before anything else shuts down. Nest
 * closes the HTTP server last, after the queues; a request accepted meanwhile would find its queue closed.
 */
@Injectable()
export class HttpDrain implements BeforeApplicationShutdown {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.adapterHost.httpAdapter.close();
  }
}
