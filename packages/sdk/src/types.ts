import type { components, paths } from './generated/openapi.js';

/** Every schema of the API, by its name in the OpenAPI document. */
export type Schemas = components['schemas'];
export type StatusUpdateBody = Schemas['StatusUpdateBody'];
export type PresetOverrides = Schemas['PresetOverridesDto'];
export type ClearBody = Schemas['ClearStatusDto'];
export type AcceptedUpdate = Schemas['AcceptedUpdateView'];
export type StatusUpdate = Schemas['StatusUpdateView'];
export type CurrentStatus = Schemas['CurrentStatusView'];
export type HistoryPage = Schemas['HistoryPageView'];
export type Template = Schemas['TemplateView'];
export type CreateTemplate = Schemas['CreateTemplateDto'];
export type UpdateTemplate = Schemas['UpdateTemplateDto'];
export type EffectivePreset = Schemas['EffectivePresetView'];
export type Me = Schemas['MeView'];
export type HistoryQuery = NonNullable<paths['/api/v1/status/history']['get']['parameters']['query']>;
export type AvailabilityQuery = NonNullable<paths['/api/v1/teams/{id}/availability']['get']['parameters']['query']>;
export type Webhook = Schemas['WebhookView'];
export type WebhookWithSecret = Schemas['WebhookWithSecretView'];
export type CreateWebhook = Schemas['CreateWebhookDto'];
export type UpdateWebhook = Schemas['UpdateWebhookDto'];
export type WebhookDelivery = Schemas['WebhookDeliveryView'];
export type WebhookDeliveryPage = Schemas['WebhookDeliveryPageView'];
export type WebhookDeliveriesQuery = NonNullable<paths['/api/v1/webhooks/{id}/deliveries']['get']['parameters']['query']>;
export type Platform = NonNullable<StatusUpdateBody['platforms']>[number];
export type { components, paths };
