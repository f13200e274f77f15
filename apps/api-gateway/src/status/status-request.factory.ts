import { validationFailed } from '../http/validation';
import { Preset } from './presets';
import { ClearStatusDto, PresetOverridesDto, StatusUpdateDto } from './status.dto';
import { StatusRequest } from './status-request';

const MINUTE_MS = 60_000;

/** expiresAt and durationMinutes say the same thing two ways; at most one may be given. */
function expiryOf(dto: PresetOverridesDto, defaultMinutes: number | null, now: Date): Date | null {
  if (dto.expiresAt !== undefined && dto.durationMinutes !== undefined) {
    throw validationFailed([{ field: 'durationMinutes', reason: 'give either expiresAt or durationMinutes, not both' }]);
  }
  if (dto.expiresAt !== undefined) return new Date(dto.expiresAt);
  const minutes = dto.durationMinutes ?? defaultMinutes;
  return minutes === null ? null : new Date(now.getTime() + minutes * MINUTE_MS);
}

/** Turns each endpoint's body into the one StatusRequest shape the service records. */
export const StatusRequests = {
  update(dto: StatusUpdateDto, now = new Date()): StatusRequest {
    if (!dto.emoji && !dto.message) {
      throw validationFailed([{ field: 'message', reason: 'give a message or an emoji (to remove a status, POST /api/v1/status/clear)' }]);
    }
    return {
      kind: 'set',
      preset: null,
      emoji: dto.emoji ?? null,
      message: dto.message ?? null,
      limitedAvailability: dto.limitedAvailability ?? false,
      expiresAt: expiryOf(dto, null, now),
      platforms: dto.platforms,
    };
  },

  preset(name: string, preset: Preset, dto: PresetOverridesDto, now = new Date()): StatusRequest {
    return {
      kind: 'set',
      preset: name,
      emoji: preset.emoji,
      message: dto.message ?? preset.message,
      limitedAvailability: preset.limitedAvailability,
      expiresAt: expiryOf(dto, preset.durationMinutes, now),
      platforms: dto.platforms,
    };
  },

  clear(dto: ClearStatusDto): StatusRequest {
    return { kind: 'clear', preset: null, emoji: null, message: null, limitedAvailability: false, expiresAt: null, platforms: dto.platforms };
  },
};
