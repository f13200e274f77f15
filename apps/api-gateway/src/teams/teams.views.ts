import { ApiProperty } from '@nestjs/swagger';

export class TeamView {
  @ApiProperty({ format: 'uuid', example: '5b0f7c1e-2d7a-4c53-9a0e-7d3f4b2c1a90' })
  id: string;

  @ApiProperty({ example: 'Platform team' })
  name: string;

  @ApiProperty({ example: 7 })
  memberCount: number;
}

export class TeamListView {
  @ApiProperty({ type: TeamView, isArray: true })
  items: TeamView[];
}
