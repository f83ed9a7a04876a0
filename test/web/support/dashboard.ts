import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const WEB_DIR = path.join(ROOT, 'web');
export const DIST_DIR = path.join(WEB_DIR, 'dist');
export const SCREENSHOT_DIR = path.join(ROOT, 'docs/screenshots');
/** Debian's Chromium (never downloaded); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds web/dist when it is missing or older than the dashboard's sources (about a second). */
export async function ensureDashboardBuilt(): Promise<void> {
  const index = path.join(DIST_DIR, 'index.html');
  const sources = Math.max(
    newestMtime(path.join(WEB_DIR, 'src')),
    fs.statSync(path.join(WEB_DIR, 'index.html')).mtimeMs,
    fs.statSync(path.join(WEB_DIR, 'vite.config.ts')).mtimeMs,
  );
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' });
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

/** The dashboard of a running gateway: it serves the built SPA at `/`. */
export async function dashboardFor(gatewayUrl: string): Promise<Dashboard> {
  const res = await fetch(`${gatewayUrl}/`);
  const text = await res.text();
  if (!res.ok || !text.includes('<div id="root">')) throw new Error(`the gateway at ${gatewayUrl} does not serve the dashboard (${res.status})`);
  return { url: gatewayUrl, close: async () => {} };
}

/** Debian's Chromium, headless, with nothing that reaches the network on its own. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function desktopContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(20_000);
  return context;
}

/**
 * Saves docs/screenshots/<name>.png — only with KIRIM_SCREENSHOTS=1, so an ordinary test run leaves
 * the tracked pictures alone (`KIRIM_SCREENSHOTS=1 npx vitest run test/web/dashboard.test.ts` renews them).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.KIRIM_SCREENSHOTS !== '1') return;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
}
