import { registerDecorator, ValidationOptions } from 'class-validator';

/** RFC 3339 date-time with an explicit offset: a time without a zone would mean different instants to us and to the user. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const parseTimestamp = (value: unknown): Date | null => {
  const parts = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!parts) return null;
  // JavaScript rolls a day the month lacks over (2030-02-30 becomes 2 March): refuse it rather than guess.
  const [, year, month, day] = parts.map(Number);
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const date = new Date(value as string);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** An ISO 8601 / RFC 3339 timestamp with a zone (e.g. 2026-11-25T17:00:00Z). `future` also requires it to lie ahead. */
export function IsTimestamp(opts: { future?: boolean } = {}, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: opts.future ? 'isFutureTimestamp' : 'isTimestamp',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => {
          const date = parseTimestamp(value);
          return date !== null && (!opts.future || date.getTime() > Date.now());
        },
        defaultMessage: () =>
          opts.future
            ? `${propertyName} must be an ISO 8601 date-time with a time zone, in the future`
            : `${propertyName} must be an ISO 8601 date-time with a time zone`,
      },
    });
}
