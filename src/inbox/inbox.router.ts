import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { Router, type Response } from 'express';

/** Where `npm run build` writes the page (web/inbox/build.mjs): dist/inbox under the project root. */
export function builtInboxDir(): string {
  // Compiled, this file sits in dist/src/inbox; under ts-jest, in src/inbox: the root is the nearest package.json.
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'inbox');
}

// The page talks only to this origin: /graphql over HTTP and WebSocket.
const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * GET /inbox: the reply inbox, a single-page app built from web/inbox. Asset names carry a hash
 * of their content, so they are cached for good while the page itself is revalidated.
 */
export function createInboxRouter(assetsDir: string = builtInboxDir()): Router {
  const router = Router();
  const indexFile = join(assetsDir, 'index.html');
  let page: string | null = null;
  const servePage = (res: Response) => {
    page ??= existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : null;
    if (page === null) {
      res.status(503).type('text/plain').send('The inbox page is not built: run `npm run build` (npm start and npm test do it first).\n');
      return;
    }
    res.set(PAGE_HEADERS).type('html').send(page);
  };
  router.get('/', (_req, res) => servePage(res));
  router.use('/assets', express.static(join(assetsDir, 'assets'), { index: false, immutable: true, maxAge: '1y', fallthrough: false }));
  return router;
}
