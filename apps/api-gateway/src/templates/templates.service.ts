import { Injectable } from '@nestjs/common';
import { ProblemException } from '@statusync/core';
import { scopeOf, StatusTemplateEntity, StatusTemplatesRepository, TemplateNameTakenError, TemplateScope, UsersRepository, UserScope } from '@statusync/db';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { StatusRequest } from '../status/status-request';
import { PresetOverridesDto } from '../status/status.dto';
import { templateFields } from './template-fields';
import { templateRequest } from './template-request';
import { CreateTemplateDto, UpdateTemplateDto } from './templates.dto';
import { TemplateView } from './templates.views';

const notFound = () => new ProblemException(404, 'not-found', 'Not Found', 'template not found');
const nameTaken = (scope: TemplateScope) =>
  new ProblemException(409, 'template-name-taken', 'Conflict', `A ${scope} template with this name already exists (names are compared without case)`, [
    { field: 'name', reason: 'already used by another template of this scope' },
  ]);
const adminsOnly = () => new ProblemException(403, 'forbidden', 'Forbidden', 'Only an admin of the organisation can change its templates');

export function templateView(template: StatusTemplateEntity): TemplateView {
  return {
    id: template.id,
    name: template.name,
    scope: scopeOf(template),
    emoji: template.emoji,
    message: template.message,
    limitedAvailability: template.limitedAvailability,
    durationMinutes: template.durationMinutes,
    until: template.until,
    platforms: template.platforms,
    overrides: (template.overrides ?? {}) as TemplateView['overrides'],
    createdAt: template.createdAt.toISOString(),
    updatedAt: template.updatedAt.toISOString(),
  };
}

/**
 * Personal and org templates. Who may do what is said twice: here, to answer 403/404 clearly, and by row-level
 * security under the caller's org and role, so a mistake here still cannot reach another org's rows.
 */
@Injectable()
export class TemplatesService {
  constructor(
    private readonly scope: UserScope,
    private readonly templates: StatusTemplatesRepository,
    private readonly users: UsersRepository,
  ) {}

  run<T>(user: AuthUser, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.scope.run(user.id, work, { orgId: user.orgId, role: user.role });
  }

  viewer = (user: AuthUser) => ({ userId: user.id, orgId: user.orgId });

  async create(user: AuthUser, dto: CreateTemplateDto): Promise<TemplateView> {
    const scope = dto.scope ?? 'personal';
    if (scope === 'org' && !user.orgId) {
      throw new ProblemException(400, 'validation', 'Invalid request', 'One or more fields are invalid.', [
        { field: 'scope', reason: 'org templates need an organisation: your token has no org_id' },
      ]);
    }
    if (scope === 'org' && user.role !== 'admin') throw adminsOnly();
    const fields = templateFields(dto);
    const owner = scope === 'org' ? { orgId: user.orgId! } : { userId: user.id };
    try {
      return templateView(await this.run(user, (db) => this.templates.create(db, owner, fields)));
    } catch (error) {
      throw error instanceof TemplateNameTakenError ? nameTaken(scope) : error;
    }
  }

  async list(user: AuthUser, scope?: TemplateScope): Promise<TemplateView[]> {
    return (await this.run(user, (db) => this.templates.list(db, this.viewer(user), scope))).map(templateView);
  }

  async get(user: AuthUser, id: string): Promise<TemplateView> {
    const template = await this.run(user, (db) => this.templates.find(db, this.viewer(user), id));
    if (!template) throw notFound();
    return templateView(template);
  }

  async update(user: AuthUser, id: string, dto: UpdateTemplateDto): Promise<TemplateView> {
    let scope: TemplateScope = 'personal';
    try {
      return await this.run(user, async (db) => {
        const stored = await this.writable(db, user, id);
        scope = scopeOf(stored);
        const updated = await this.templates.update(db, id, templateFields(dto, stored));
        if (!updated) throw notFound();
        return templateView(updated);
      });
    } catch (error) {
      throw error instanceof TemplateNameTakenError ? nameTaken(scope) : error;
    }
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.run(user, async (db) => {
      await this.writable(db, user, id);
      if (!(await this.templates.delete(db, id))) throw notFound();
    });
  }

  /** A template as a status request, resolved in the caller's zone. */
  async applicationOf(user: AuthUser, id: string, dto: PresetOverridesDto): Promise<StatusRequest> {
    const { template, zone } = await this.run(user, async (db) => ({
      template: await this.templates.find(db, this.viewer(user), id),
      zone: await this.zoneOf(db, user),
    }));
    if (!template) throw notFound();
    return templateRequest({ template, dto, zone });
  }

  zoneOf = async (db: EntityManager, user: AuthUser): Promise<string> => (await this.users.findById(db, user.id))?.timeZone ?? 'UTC';

  /** Visible, and the caller may change it: their own, or their org's as its admin. */
  private async writable(db: EntityManager, user: AuthUser, id: string): Promise<StatusTemplateEntity> {
    const template = await this.templates.find(db, this.viewer(user), id);
    if (!template) throw notFound();
    if (scopeOf(template) === 'org' && user.role !== 'admin') throw adminsOnly();
    return template;
  }
}
