export * from './feed-problem';
export * from './ics-feed';
export * from './read-calendar';
export * from './rules';
export * from './feed-secret';
export * from './providers/provider-http';
export * from './providers/google-sync';
export * from './providers/graph-delta';
