// The web console in a real browser: Debian's Chromium driven by playwright-core (no browser
// download). openConsole() gives a page that records everything a console flow must never
// produce (console errors and warnings, CSP violations, uncaught exceptions, failed requests,
// requests to any other origin); assertClean() fails the test when any was seen.
//
// The console is served by the binary itself at poise.url. IT_CONSOLE_PREVIEW=1 serves the
// current web/dist through `vite preview` instead, proxying the API to the same poise: handy
// while developing web/ against an older binary.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { REPO_ROOT, spawnTracked } from './harness.mjs';

export const CHROMIUM = process.env.IT_CHROMIUM || '/usr/lib/chromium/chromium';
const LAUNCH_TIMEOUT_MS = 60000;
// A page under an ASan build on a busy 2-core machine: generous, never a timing assertion.
export const UI_TIMEOUT_MS = 30000;
// Where the screenshots go; CI keeps this directory.
export const SCREENSHOT_DIR = process.env.IT_SCREENSHOT_DIR || join(REPO_ROOT, 'build/console-screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM),
    `no Chromium at ${CHROMIUM}: run scripts/bootstrap.sh --with-test-deps (Debian's chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: LAUNCH_TIMEOUT_MS,
    // As root (CI) Chromium cannot keep its sandbox; it only loads our own page from 127.0.0.1.
    chromiumSandbox: process.getuid() !== 0,
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-gpu'],
  });
}

/**
 * The base URL the console is opened at for `poise`, and a stop() for whatever serves it.
 */
export async function consoleBase(poise) {
  if (process.env.IT_CONSOLE_PREVIEW !== '1') return { url: poise.url, stop: async () => {} };
  const port = 20000 + Math.floor(Math.random() * 20000);
  // vite itself, not through npx: stopping npx would leave vite running, holding the pipes open
  // and keeping the test process alive after its last test.
  const vite = join(REPO_ROOT, 'web/node_modules/vite/bin/vite.js');
  const child = spawnTracked(process.execPath, [vite, 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: join(REPO_ROOT, 'web'),
    env: { ...process.env, POISE_DEV_TARGET: poise.url },
  });
  child.stdout.resume();
  child.stderr.resume();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: async () => { child.kill('SIGTERM'); await child.exited; } };
}

/**
 * A fresh browser context and page at `base` with a problem recorder.
 * opts: viewport (DESKTOP), colorScheme ('light'), locale ('en-US'), storage (localStorage
 * entries set before any page script runs, e.g. {'poise.lang': 'zh'}).
 * Returns {context, page, problems}.
 */
export async function openConsole(browser, base, { viewport = DESKTOP, colorScheme = 'light', locale = 'en-US', storage } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, locale, baseURL: base });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  if (storage) {
    await context.addInitScript((entries) => {
      for (const [k, v] of Object.entries(entries)) {
        if (localStorage.getItem(k) === null) localStorage.setItem(k, v);
      }
    }, storage);
  }
  // CSP violations are also reported on the console, but count them on their own too.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(base).origin;
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      problems.push(`console ${msg.type()}: ${msg.text()} (${msg.location().url})`);
    }
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.stack || err.message}`));
  page.on('requestfailed', (req) => {
    // A navigation away aborts in-flight polls: not a failure of the page.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.url()}: ${req.failure()?.errorText}`);
  });
  // Requests still open, with when they started: what a stuck page is waiting for.
  const inflight = new Map();
  page.on('requestfinished', (req) => inflight.delete(req));
  page.on('requestfailed', (req) => inflight.delete(req));
  page.inflightRequests = () =>
    [...inflight.entries()].map(([req, at]) => `${req.method()} ${req.url()} (open ${Date.now() - at} ms)`);
  page.on('request', (req) => {
    inflight.set(req, Date.now());
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      problems.push(`request to another origin: ${url}`);
    }
  });
  return { context, page, problems };
}

export function assertClean(problems, what = 'console flow') {
  assert.deepEqual(problems, [], `${what}: ${problems.length} problem(s):\n${problems.join('\n')}`);
}

/** Signs in through the login form; waits until the shell (the user menu) is shown. */
export async function signIn(page, username, password) {
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('[data-testid=login-form] button[type=submit]').click();
}

export async function waitForShell(page) {
  await page.locator('[data-testid=user-menu]').waitFor();
}

/**
 * Waits until `locator` reaches `state` ('detached': a form, dialog or drawer is gone; 'visible':
 * a dialog a click should open). On a timeout the error says what `shows` (the locator itself
 * by default: the form or dialog the page is stuck on) displayed and which requests were still
 * open, and a screenshot failed-<what>.png is kept, so a failure in CI explains itself.
 */
export async function waitExplained(page, locator, state, what, shows = locator) {
  try {
    await locator.waitFor({ state });
  } catch (e) {
    const text = await shows.innerText({ timeout: 1000 }).catch(() => '(not on the page)');
    await screenshot(page, `failed-${what}`).catch(() => {});
    const open = page.inflightRequests ? page.inflightRequests() : [];
    throw new Error(`${what}: ${e.message}\nthe page shows: ${text.slice(-600)}\n`
      + `requests still open: ${open.length ? open.join('; ') : 'none'}`);
  }
}

/** Waits until `locator` is gone (see waitExplained). */
export async function waitGone(page, locator, what) {
  await waitExplained(page, locator, 'detached', `${what} did not close`);
}

/** Saves a screenshot as SCREENSHOT_DIR/<name>.png (full page). */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Let charts and transitions settle.
  await page.waitForTimeout(400);
  // A full-page capture of a taller page would leave the sticky side bar and header at the first
  // screen's height; grow the viewport to the page instead, capture, and put it back.
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (viewport && height > viewport.height) {
    await page.setViewportSize({ width: viewport.width, height: Math.min(height, 4000) });
    await page.waitForTimeout(300);
  }
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
  if (viewport && height > viewport.height) await page.setViewportSize(viewport);
}
