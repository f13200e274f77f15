export { preview } from './preview';
export { CalendarFeedError, CalendarInputError, type CalendarFeedProblem } from './errors';
export * from './types';
