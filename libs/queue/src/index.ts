export * from './queue-names';
export * from './jobs';
export * from './job-options';
export * from './platform-backoff';
export * from './queue.module';
export * from './status-sync.producer';
export * from './maintenance-queue';
