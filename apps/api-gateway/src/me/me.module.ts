import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { MeController } from './me.controller';

@Module({ imports: [DbModule], controllers: [MeController] })
export class MeModule {}
