import { applyDecorators, SetMetadata } from '@nestjs/common';
import { Public } from '@statusync/core';

export const OPTIONAL_AUTH = 'statusync:optional-auth';

/**
 * A public route that still checks a bearer JWT when one is sent (then `@CurrentUser()` is set; a bad one is a
 * 401). For the OAuth callback: a browser arriving from the provider carries no token, but a client that does
 * send one must be the user the flow was started for.
 */
export const OptionalAuth = () => applyDecorators(Public(), SetMetadata(OPTIONAL_AUTH, true));
