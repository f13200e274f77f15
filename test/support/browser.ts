import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Flags that work in CI containers (root, no GPU); Playwright adds --headless itself. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** A real browser with a fresh profile, and every problem the page reports (console errors, CSP, crashes). */
export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations, in order. */
  problems: string[];
  close(): Promise<void>;
}

/** Runs `work`; if it fails, the error also tells what the page showed and reported (the browser is gone later). */
export async function explainFailure<T>(browser: TestBrowser, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const shown = await browser.page.locator('body').innerText({ timeout: 2_000 }).catch(() => '(unreadable)');
    const url = browser.page.url();
    throw new Error(`${(error as Error).message}\n--- the page (${url}) showed:\n${shown}\n--- it reported:\n${browser.problems.join('\n') || '(nothing)'}`, { cause: error });
  }
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const profile = mkdtempSync(join(tmpdir(), 'statusync-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
  const problems: string[] = [];
  // Injected by the browser itself (not a script of the page, so the page's CSP still forbids any inline one).
  // (A string: the tests compile without DOM types.)
  await context.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
