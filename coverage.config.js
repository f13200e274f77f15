// Coverage `npm test` holds each app and lib to (scripts/coverage-report.js): lines and branches, in percent, of
// every suite together, the services' own processes included. Issue 11's target is 95 % lines and 85 % branches
// everywhere; we are not there yet (docs/decisions.md §34). Until then each floor sits just below what the whole
// suite measured, so coverage can only go up: raise a floor when you raise coverage, never lower one to pass.
// The e2e and chaos tiers take timing-dependent paths (retries, a worker killed mid-job), so runs differ: by a
// fraction of a point mostly, by 4 points in calendar-poller's few branches. The floors leave about one point (or a
// few branches) of room under the lower of two measured runs.
module.exports = {
  target: { lines: 95, branches: 85 },
  // Measured on 2026-12-01 (lines / branches, docs/decisions.md §34): the lower of two whole-suite runs, each merged
  // with the unit and middle-tier tests added that day; "merged" is the clean-clone CI run after the day's merges
  // (calendars, DND, webhooks), where every package met the 95 / 85 target. Packages with few branches keep a few
  // branches of room.
  floors: {
    'apps/api-gateway': { lines: 98, branches: 92 }, // 99.07 / 94.16; merged: 99.06 / 93.48
    'apps/calendar-poller': { lines: 96, branches: 84 }, // 97.58 / 84.37–88.05; merged: 97.83 / 89.81 (few branches, varies by run)
    'apps/scheduler': { lines: 96, branches: 88 }, // 97.66 / 89.23; merged: 98.27 / 91.18
    'apps/sync-worker': { lines: 96, branches: 89 }, // 98.38 / 91.71; merged (DND, webhooks): 97.78 / 90.39
    'libs/calendar': { lines: 97, branches: 91 }, // 98.25 / 92.23
    'libs/calendar-feeds': { lines: 96, branches: 84 }, // 95.62 / 82.75; merged (provider tests): 97.07 / 85.98
    'libs/core': { lines: 97, branches: 92 }, // 98.56 / 93.44
    'libs/db': { lines: 97, branches: 91 }, // 98.3 / 92.48
    'libs/platforms': { lines: 97, branches: 94 }, // 98.74 / 95.72
    'libs/queue': { lines: 98, branches: 95 }, // 99.37 / 93.85; with the best-effort enqueue tests (§40): 99.54 / 96.55
    all: { lines: 97, branches: 91 }, // 98.59 / 92.92
  },
};
