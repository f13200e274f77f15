import { Injectable } from '@nestjs/common';
import { ProblemException } from '@statusync/core';
import { scopeOf, StatusTemplatesRepository } from '@statusync/db';
import { AuthUser } from '../auth/auth-user';
import { isPresetName, PRESET_NAMES, PRESETS } from '../status/presets';
import { StatusRequest } from '../status/status-request';
import { StatusRequests } from '../status/status-request.factory';
import { PresetOverridesDto } from '../status/status.dto';
import { templateRequest } from './template-request';
import { TEMPLATE_NAME } from './templates.dto';
import { TemplatesService } from './templates.service';
import { EffectivePresetView } from './templates.views';

/**
 * Presets are names: the caller's own template of that name wins, then their org's, then the built-in one
 * (working, lunch, away, busy), all compared without case. An org admin redefines `busy` for everyone by
 * creating an org template named `busy`; a person can still redefine it for themselves.
 */
@Injectable()
export class PresetsService {
  constructor(
    private readonly templates: TemplatesService,
    private readonly repository: StatusTemplatesRepository,
  ) {}

  async effective(user: AuthUser): Promise<EffectivePresetView[]> {
    const templates = await this.templates.run(user, (db) => this.repository.list(db, this.templates.viewer(user)));
    const byName = new Map<string, EffectivePresetView>();
    // Listed personal first, then org: the first of a name wins.
    for (const template of templates) {
      const key = template.name.toLowerCase();
      if (byName.has(key)) continue;
      byName.set(key, {
        name: template.name,
        source: scopeOf(template),
        templateId: template.id,
        emoji: template.emoji,
        message: template.message,
        limitedAvailability: template.limitedAvailability,
        durationMinutes: template.durationMinutes,
        until: template.until,
        platforms: template.platforms,
      });
    }
    for (const [name, preset] of Object.entries(PRESETS)) {
      if (!byName.has(name)) byName.set(name, { name, source: 'builtin', templateId: null, ...preset, until: null, platforms: null });
    }
    return [...byName.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  }

  async requestFor(user: AuthUser, name: string, dto: PresetOverridesDto): Promise<StatusRequest> {
    // A name no template can have (control characters, NUL, `/`) is not looked up: Postgres text cannot even hold NUL.
    const lookUp = TEMPLATE_NAME.test(name);
    const { template, zone } = await this.templates.run(user, async (db) => ({
      template: lookUp ? await this.repository.findByName(db, this.templates.viewer(user), name) : null,
      zone: await this.templates.zoneOf(db, user),
    }));
    if (template) return templateRequest({ template, dto, zone, preset: template.name });
    const builtin = name.toLowerCase();
    if (isPresetName(builtin)) return StatusRequests.preset(builtin, PRESETS[builtin], dto);
    throw new ProblemException(404, 'unknown-preset', 'Not Found', `There is no preset "${name}"; presets are ${PRESET_NAMES.join(', ')} and the names of your and your org's templates`);
  }
}
