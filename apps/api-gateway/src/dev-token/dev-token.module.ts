import { DynamicModule, Module } from '@nestjs/common';
import { DevTokenController } from './dev-token.controller';

/**
 * The development token route exists only outside production: in production the controller is not
 * registered at all (a 404 like any unknown path, and absent from the OpenAPI document). The environment is
 * passed in by main.ts from the validated configuration, not read in module metadata.
 */
@Module({})
export class DevTokenModule {
  static forEnvironment(env: 'development' | 'production' | 'test'): DynamicModule {
    return { module: DevTokenModule, controllers: env === 'production' ? [] : [DevTokenController] };
  }
}
