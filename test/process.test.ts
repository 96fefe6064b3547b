import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './helpers/net';

// The compiled entry point, as `npm start` runs it (npm test builds first: see "pretest").
const MAIN = join(__dirname, '..', 'dist', 'src', 'main.js');

interface Started {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForHealth(url: string, started: Started): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (started.child.exitCode !== null) throw new Error(`server exited: ${started.output()}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not answer: ${started.output()}`);
}

describe('the server process', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does it first)`);
    dir = mkdtempSync(join(tmpdir(), 'switchboard-process-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with no configuration but a port, prints a new admin token once, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'sb.db')}`, LOG_LEVEL: 'error' };
    const first = start(env);
    await waitForHealth(`http://127.0.0.1:${port}`, first);
    const token = /ADMIN_TOKEN=(\S+)/.exec(first.output())?.[1];
    expect(token).toMatch(/^sbadmin_/);
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation { createAccount(input: {name: "Proc", homeCountry: "DE"}) { account { homeCountry } } }' }),
    });
    expect(await res.json()).toEqual({ data: { createAccount: { account: { homeCountry: 'DE' } } } });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // The token was kept (hashed): a second start prints nothing new and still accepts it.
    const second = start(env);
    await waitForHealth(`http://127.0.0.1:${port}`, second);
    expect(second.output()).not.toContain('ADMIN_TOKEN=');
    const again = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation { createAccount(input: {name: "Proc 2", homeCountry: "FR"}) { account { homeCountry } } }' }),
    });
    expect(await again.json()).toEqual({ data: { createAccount: { account: { homeCountry: "FR" } } } });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('refuses a bad variable with one line naming it', async () => {
    const bad = start({ PORT: 'eighty' });
    expect(await bad.exited).toBe(2);
    expect(bad.output().trim()).toMatch(/^switchboard: configuration error: PORT must be a port number/);
    expect(bad.output().trim().split('\n')).toHaveLength(1);
  });
});
