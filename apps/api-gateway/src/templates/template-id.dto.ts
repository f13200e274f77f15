import { IsUUID } from 'class-validator';

export class TemplateIdParamDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}
