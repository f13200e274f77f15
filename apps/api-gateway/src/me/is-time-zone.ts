import { registerDecorator } from 'class-validator';
import { isKnownTimeZone } from './time-zones';

/** An IANA time zone the runtime knows (or UTC): a user's zone, a schedule's. */
export function IsTimeZone() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isTimeZone',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isKnownTimeZone(value),
        defaultMessage: () => `${propertyName} must be an IANA time zone such as Europe/Berlin (or UTC)`,
      },
    });
}
