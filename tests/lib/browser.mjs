// SPDX-License-Identifier: MIT
// Browser tests' shared launcher: Debian's chromium driven by playwright-core,
// with the flags that work on this machine, and screenshots kept in
// tests/e2e/artifacts/ (gitignored) — always for the ones a test asks for,
// and for every open page when a test step fails.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.PARTA_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'e2e', 'artifacts');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser(opts = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.args || [])],
  });
}

/* A new context with Russian locale and a desktop viewport unless told otherwise. */
export async function newContext(browser, opts = {}) {
  return browser.newContext({
    locale: 'ru-RU',
    viewport: { width: 1280, height: 800 },
    ...opts,
  });
}

function safeName(name) {
  return String(name).replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'page';
}

/* Save a full-page screenshot (scrolled to the top, transitions finished) as
 * artifacts/NAME.png; returns its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${safeName(name)}.png`);
  // From the top: a full-page shot of a scrolled page misplaces sticky parts.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/* Run fn(); if it throws, screenshot every open page of the given contexts
 * (named after the test) and rethrow. Screenshot errors never hide the
 * original failure. */
export async function screenshotOnFailure(testName, contexts, fn) {
  try {
    return await fn();
  } catch (err) {
    let i = 0;
    for (const ctx of contexts) {
      for (const page of ctx?.pages?.() ?? []) {
        try {
          const file = await screenshot(page, `FAILED-${testName}-${i++}`);
          console.error(`screenshot of failure: ${file} (${page.url()})`);
        } catch { /* page already closed */ }
      }
    }
    throw err;
  }
}
