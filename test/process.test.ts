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
    // CARRIER_SIMULATOR=on as `npm start` sets it outside production.
    const env = { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'sb.db')}`, LOG_LEVEL: 'error', CARRIER_SIMULATOR: 'on' };
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

  it.each([
    [{ PORT: 'eighty', CARRIER_SIMULATOR: 'on' }, /PORT must be a port number/],
    [{ NODE_ENV: 'production' }, /TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set with NODE_ENV=production/],
    [{ NODE_ENV: 'production', CARRIER_SIMULATOR: 'on' }, /CARRIER_SIMULATOR=on is refused with NODE_ENV=production/],
    [{}, /TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set, or CARRIER_SIMULATOR=on/],
  ])('refuses to start with %j, in one line naming the variable', async (env, message) => {
    const bad = start(env);
    expect(await bad.exited).toBe(2);
    expect(bad.output().trim()).toMatch(/^switchboard: configuration error: /);
    expect(bad.output()).toMatch(message);
    expect(bad.output().trim().split('\n')).toHaveLength(1);
  });

  it('stops on SIGTERM when its stdout is a closed pipe (as when piped into head)', async () => {
    const port = await freePort();
    const started = start({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'closed-stdout.db')}`, LOG_LEVEL: 'info', CARRIER_SIMULATOR: 'on' });
    await waitForHealth(`http://127.0.0.1:${port}`, started);
    started.child.stdout.destroy();
    // Logs written now hit the closed pipe (EPIPE), the stop's own lines included.
    await fetch(`http://127.0.0.1:${port}/healthz`);
    started.child.kill('SIGTERM');
    const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref());
    expect(await Promise.race([started.exited, timeout])).toBe(0);
  });
});
