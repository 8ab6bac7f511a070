// SPDX-License-Identifier: MIT
// Vite build of the Parta web client into dist/ (served by `parta serve --web-dir`).
// JSX is compiled by Vite's own oxc transform for Preact; no preset plugin needed.
// `npm run dev` proxies /api to a running server (PARTA_URL, default :8080).
// `npm test` (vitest) also type-checks the whole client: a text missing from
// one language of src/i18n.ts fails the tests, not only `npm run typecheck`.
/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    target: 'es2020',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': process.env.PARTA_URL || 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test.ts'], tsconfig: './tsconfig.json' },
  },
});
