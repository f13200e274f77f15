import { PlatformError } from '../../libs/platforms/src/platform-errors';

/** Awaits a call that must fail with a typed platform error of `type` from `platform`, and returns the error. */
export async function platformFailure<E extends PlatformError>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  platform: string,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (error === undefined) throw new Error(`expected a ${type.name}, but the call succeeded`);
  expect(error).toBeInstanceOf(type);
  expect((error as E).platform).toBe(platform);
  return error as E;
}
