import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The compiled server, as `npm start` runs it. */
export const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export function requireBuiltServer(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does it first)`);
}

/** The compiled server in a process of its own, with only `env` (and PATH); CRASH_DEBUG=1 shows its output. */
export function spawnServer(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: process.env.CRASH_DEBUG ? 'inherit' : 'ignore' });
}

/** Resolves once the server at `url` answers /healthz (20 s at the most). */
export async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server at ${url} did not answer`);
}

/** Sends `signal` and resolves once the process has exited (at once when it has already). */
export function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
