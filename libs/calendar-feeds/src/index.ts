export * from './feed-problem';
export * from './ics-feed';
export * from './read-calendar';
export * from './rules';
export * from './feed-secret';
