import type { IgnoreReason } from './types';

/** How the event itself marks the time (ICS TRANSP / BUSYSTATUS, Google transparency, Graph showAs). */
export type ShowAs = 'busy' | 'free' | 'tentative' | 'oof' | 'working_elsewhere';
export type OwnerResponse = 'accepted' | 'declined' | 'tentative' | 'needs_action' | 'delegated' | 'unknown';
export type EventType = 'default' | 'out_of_office' | 'focus' | 'working_location';

/** One occurrence of an event, normalised from any source; times are epoch milliseconds (UTC). */
export interface EventInstance {
  uid?: string;
  start: number;
  end: number;
  allDay: boolean;
  status: 'confirmed' | 'tentative' | 'cancelled';
  showAs: ShowAs;
  ownerResponse: OwnerResponse;
  eventType: EventType;
  title?: string;
  private: boolean;
}

/** An event a source could not turn into instances (bad data, superseded copy, iTIP reply...). */
export interface SourceProblem {
  reason: IgnoreReason;
  uid?: string;
  start?: number;
  end?: number;
  title?: string;
  private?: boolean;
  detail?: string;
}

export interface SourceResult {
  instances: EventInstance[];
  problems: SourceProblem[];
}
