export * from './feed-problem';
export * from './ics-feed';
export * from './read-calendar';
