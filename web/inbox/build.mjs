// Builds the inbox page into dist/inbox: one JS and one CSS bundle named by their content hash,
// and index.html pointing at them. `npm run build` runs it after type-checking web/inbox.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const source = dirname(fileURLToPath(import.meta.url));
const out = join(source, '..', '..', 'dist', 'inbox');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: [join(source, 'main.tsx')],
  outdir: join(out, 'assets'),
  entryNames: 'inbox-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(source, 'tsconfig.json'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const files = Object.keys(result.metafile.outputs);
const named = (ext) => basename(files.find((f) => f.endsWith(ext)));
const page = readFileSync(join(source, 'index.html'), 'utf8').replace('{{js}}', named('.js')).replace('{{css}}', named('.css'));
writeFileSync(join(out, 'index.html'), page);

const gzipped = files.reduce((total, file) => total + gzipSync(readFileSync(file)).length, 0);
console.log(`inbox page built in dist/inbox: ${files.map((f) => basename(f)).join(', ')} (${(gzipped / 1024).toFixed(1)} KB gzipped)`);
