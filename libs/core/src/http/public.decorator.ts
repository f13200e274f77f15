import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'statusync:public';

/** Opts a route out of the gateway's default-deny JWT guard (health probes and the OAuth callback only). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
