export * from './platform-adapter';
export * from './platform-errors';
export * from './platform-registry';
export * from './platforms.module';
export * from './status-format';
export * from './github/github.adapter';
export * from './slack/slack.adapter';
