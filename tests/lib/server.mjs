// SPDX-License-Identifier: MIT
// Start the real `parta` binary for a test: a fresh temporary data dir, port 0
// (the server picks a free one and prints it), wait until /healthz answers.
// PARTA_VALGRIND=1 runs the server under valgrind.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PARTA_BIN = process.env.PARTA_BIN || join(root, 'build', 'parta');

// Returns { url, port, setupUrl, dataDir, proc, stdout(), stderr(), stop(), kill9() }.
// opts.args: extra flags; opts.env: extra environment; opts.dataDir: reuse a dir.
export async function startServer(opts = {}) {
  const dataDir = opts.dataDir || mkdtempSync(join(tmpdir(), 'parta-test-'));
  const args = ['serve', `--data-dir=${dataDir}`, '--port=0', `--web-dir=${join(root, 'web', 'dist')}`,
    '--log-level=warn', ...(opts.args || [])];
  let cmd = PARTA_BIN;
  let argv = args;
  if (process.env.PARTA_VALGRIND === '1') {
    cmd = 'valgrind';
    argv = ['--error-exitcode=99', '--leak-check=full', '--errors-for-leak-kinds=definite', PARTA_BIN, ...args];
  }
  const proc = spawn(cmd, argv, { env: { ...process.env, ...(opts.env || {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));

  const deadline = Date.now() + (process.env.PARTA_VALGRIND === '1' ? 60000 : 15000);
  let url = null;
  while (!url) {
    const m = out.match(/Parta is running: (http:\/\/[^\s]+?)\/?\s/);
    if (m) url = m[1];
    else if (proc.exitCode !== null) throw new Error(`parta exited early (${proc.exitCode}):\n${out}\n${err}`);
    else if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`parta did not start:\n${out}\n${err}`); }
    else await new Promise((r) => setTimeout(r, 20));
  }
  for (;;) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error('no /healthz');
    await new Promise((r) => setTimeout(r, 20));
  }
  const port = Number(new URL(url).port);
  const setupMatch = out.match(/(http:\/\/\S+\/setup\?token=[A-Za-z0-9_-]+)/);
  return {
    url, port, dataDir, proc, exited,
    setupUrl: setupMatch ? setupMatch[1] : null,
    stdout: () => out,
    stderr: () => err,
    async stop({ keepData = false } = {}) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const res = await exited;
      if (!keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return res;
    },
    async kill9() {
      proc.kill('SIGKILL');
      return exited;
    },
  };
}
