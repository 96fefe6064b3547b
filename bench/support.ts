import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshMysqlDatabase, type FreshDatabase } from '../test/helpers/databases';

// What the benchmarks share. Databases and ports come from the test helpers that hold no jest
// code, so that a benchmark and a test make them the same way (the build compiles those two).
export { freePort } from '../test/helpers/net';

/**
 * The Node flags `npm start` gives the server (package.json's start script): a benchmark that
 * starts the server itself starts it with these, so that it measures the product as it runs.
 */
export function serverNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: { start: string } };
  const flags = /\bnode((?: --[^\s]+)*) dist\/src\/main\.js/.exec(scripts.start);
  if (!flags) throw new Error(`package.json's start script does not run node dist/src/main.js: ${scripts.start}`);
  return flags[1].trim().split(' ').filter(Boolean);
}

export const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

/** An empty MariaDB schema of its own for one benchmark; drop() it when done. */
export function freshBenchDatabase(prefix = 'sb_bench'): Promise<FreshDatabase> {
  return freshMysqlDatabase(MYSQL_URL, prefix);
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** One GraphQL operation over HTTP with a bearer token; any error fails the benchmark. */
export async function postGraphQL<T = any>(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

/**
 * Open loop: send(n, due) for n = 0 .. total-1 at `rate` a second on a fixed schedule, whatever
 * the answers do, so that a slow answer delays no later request (no coordinated omission).
 */
export async function atFixedRate<T>(rate: number, total: number, send: (n: number, due: number) => Promise<T>): Promise<T[]> {
  const start = performance.now() + 50;
  const pending: Array<Promise<T>> = [];
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(n, due));
  }
  return Promise.all(pending);
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function writeResult(name: string, result: Record<string, unknown>): void {
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
}

/** A benchmark run as a script: its result goes to bench/results/<name>.json, its summary to stdout. */
export function runBench<T extends Record<string, unknown>>(name: string, run: () => T | Promise<T>, summary: (result: T) => string): Promise<void> {
  return Promise.resolve().then(run).then((result) => {
    writeResult(name, result);
    console.log(summary(result));
  }, (error) => {
    console.error(error);
    process.exit(1);
  });
}
