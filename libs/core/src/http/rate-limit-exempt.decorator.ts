import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT_EXEMPT = 'statusync:rate-limit-exempt';

/**
 * Opts a route out of the gateway's rate limits. Only for health probes: orchestrators and load balancers call
 * them every few seconds from one address, and a probe refused with 429 would take a healthy instance out.
 */
export const RateLimitExempt = () => SetMetadata(RATE_LIMIT_EXEMPT, true);
