import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from './app-config';
import { loadConfig } from './load-config';

/** Provides the validated configuration as `APP_CONFIG`; validation happens once, at start-up. */
@Global()
@Module({
  providers: [{ provide: APP_CONFIG, useFactory: (): AppConfig => loadConfig() }],
  exports: [APP_CONFIG],
})
export class ConfigModule {}
