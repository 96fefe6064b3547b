import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A CPU profile of one phase of a benchmark run in this process (node --cpu-prof takes the whole
// process: the set-up, and the baseline beside the phase). Only when BENCH_PROFILE_DIR is set;
// writes DIR/NAME.cpuprofile, for bench/profile-summary.ts.
export async function profiledPhase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}
