// Jest reads `testTimeout` from the global configuration only (a project's own is ignored), so the e2e project sets
// its bound here. A test that starts a service of its own needs more than Jest's 5 s on a loaded 2-core machine.
// Waits inside tests carry their own deadlines (waitFor), so this only bounds a test that hangs.
jest.setTimeout(30_000);
