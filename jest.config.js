// Nest 12 and Octokit ship ESM only; Jest on Node 20 cannot load them untransformed (see docs/decisions.md).
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2023' }, module: { type: 'commonjs' } }];
const aliases = {
  '^@statusync/calendar$': '<rootDir>/libs/calendar/src/index.ts',
  '^@statusync/calendar-feeds$': '<rootDir>/libs/calendar-feeds/src/index.ts',
  '^@statusync/core$': '<rootDir>/libs/core/src/index.ts',
  '^@statusync/db$': '<rootDir>/libs/db/src/index.ts',
  '^@statusync/platforms$': '<rootDir>/libs/platforms/src/index.ts',
  '^@statusync/queue$': '<rootDir>/libs/queue/src/index.ts',
  '^@statusync/sdk$': '<rootDir>/packages/sdk/src/index.ts',
  // packages/* are ESM-ready sources whose relative imports end in .js (resolved to the .ts file here).
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
const common = {
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@octokit|universal-user-agent|content-type|json-with-bigint|@standard-schema|before-after-hook|fast-content-type-parse|file-type|content-disposition)/)'],
  moduleNameMapper: aliases,
};
module.exports = {
  // Used when `npm test` collects coverage (scripts/test.js, scripts/coverage-report.js), merged there with the services' own V8 coverage.
  collectCoverageFrom: ['<rootDir>/apps/*/src/**/*.ts', '<rootDir>/libs/*/src/**/*.ts', '!**/*.spec.ts'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/fakes/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts', '<rootDir>/test/deploy/**/*.spec.ts', '<rootDir>/packages/*/src/**/*.spec.ts'] },
    // Multi-process tests, with a 30 s bound per test (test/support/e2e-timeout.ts says why it is set there).
    { ...common, displayName: 'e2e', setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'], testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'], globalSetup: '<rootDir>/test/support/global-setup.ts', globalTeardown: '<rootDir>/test/support/global-teardown.ts' },
    // The OpenAPI-driven fuzzer (test/fuzz) runs the built services like the e2e tests, on the same harness.
    { ...common, displayName: 'fuzz', testMatch: ['<rootDir>/test/fuzz/**/*.fuzz-spec.ts'], globalSetup: '<rootDir>/test/support/global-setup.ts', globalTeardown: '<rootDir>/test/support/global-teardown.ts' },
    // The middle tier: services and repositories in-process against the real Postgres and Redis (no HTTP), on a
    // schema of its own: lease races, the outbox sweep.
    { ...common, displayName: 'medium', testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'], globalSetup: '<rootDir>/test/medium/support/global-setup.ts', globalTeardown: '<rootDir>/test/medium/support/global-teardown.ts' },
    // Reliability tests stop and restart Postgres and Redis, so they bring their own (test/chaos/support).
    { ...common, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'], globalSetup: '<rootDir>/test/chaos/support/global-setup.ts', globalTeardown: '<rootDir>/test/chaos/support/global-teardown.ts' },
  ],
};
