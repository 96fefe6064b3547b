import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { serverNodeFlags } from './support';

// Every benchmark, one after another, each in a process of its own so that none inherits
// another's warm caches, open pools or heap. `npm run bench` compiles first, then runs this.
// Several host the server in their own process (the hand-over's queue, the event webhooks, the
// partner sends): each runs with the Node flags `npm start` gives the server, and so does the
// bare baseline that shares its process.

const SCRIPTS = [
  'routing',
  'import',
  'launch',
  'handover',
  'inbound',
  'inbox-fanout',
  'inbox-page',
  'send-message',
  'webhooks',
  // Last: the product started with npm start and driven from outside (several minutes).
  'blackbox',
];

let failed = 0;
for (const name of SCRIPTS) {
  console.log(`\n== ${name}`);
  const run = spawnSync(process.execPath, [...serverNodeFlags(), join(__dirname, `${name}.js`)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed += 1;
    console.error(`${name} failed (exit ${run.status ?? run.signal})`);
  }
}
if (failed) process.exitCode = 1;
