import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from 'hono';
import type { App } from './app.js';

/** Where `npm run build:web` writes the dashboard (web/dist at the repository root). */
export const WEB_DIST_DIR = path.resolve(import.meta.dirname, '../../web/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Paths the dashboard must never answer, whether or not a route matched them. */
const API_PATHS = /^\/(v1(\/|$)|healthz$|readyz$|openapi\.json$)/;

/** Vite's hashed build output: safe to cache forever. */
const HASHED_ASSET = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NO_CACHE = 'no-cache';
const SHORT = 'public, max-age=3600';

const HTML_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
};

const MISSING_BUILD = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>kirim</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1.5rem;color:#18181b}code{background:#f4f4f5;padding:.15em .4em;border-radius:4px}</style></head>
<body><h1>The kirim dashboard is not built yet</h1>
<p>Run <code>npm run build:web</code> in the kirim folder (<code>npm install</code> does it for you), then reload this page.</p>
<p>The API is running: see <a href="/openapi.json">/openapi.json</a>.</p></body></html>`;

interface Found {
  body: Buffer;
  etag: string;
}

/**
 * Serves the built dashboard (web/dist) at `/`: files with their content type, hashed assets
 * cached for a year, index.html revalidated on every load, and every other non-API path
 * answered with index.html so the single-page app can route it. API paths are never shadowed:
 * they fall through to the API's own routes and 404.
 */
export function staticSite(distDir: string = WEB_DIST_DIR): (app: App) => void {
  const root = path.resolve(distDir);
  // Small, immutable once built: keep what was read; index.html is re-read when it changes.
  const cache = new Map<string, { mtimeMs: number; size: number; found: Found }>();

  async function load(relative: string): Promise<Found | null> {
    const file = path.join(root, relative);
    if (file !== root && !file.startsWith(root + path.sep)) return null;
    try {
      const info = await stat(file);
      if (!info.isFile()) return null;
      const hit = cache.get(file);
      if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit.found;
      const body = await readFile(file);
      const found = { body, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` };
      cache.set(file, { mtimeMs: info.mtimeMs, size: info.size, found });
      return found;
    } catch {
      return null;
    }
  }

  function send(c: Context, found: Found, type: string, cacheControl: string, extra: Record<string, string> = {}) {
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': cacheControl, etag: found.etag, ...extra };
    if (c.req.header('if-none-match') === found.etag) return c.body(null, 304, headers);
    if (c.req.method === 'HEAD') return c.body(null, 200, { ...headers, 'content-length': String(found.body.length) });
    return c.body(new Uint8Array(found.body), 200, headers);
  }

  return (app) => {
    app.use('*', async (c, next) => {
      const method = c.req.method;
      const urlPath = c.req.path;
      if ((method !== 'GET' && method !== 'HEAD') || API_PATHS.test(urlPath)) return next();

      let decoded: string;
      try {
        decoded = decodeURIComponent(urlPath);
      } catch {
        return next();
      }
      if (decoded.includes('\0')) return next();

      // A real file of the build (not index.html itself: that one is the fallback below).
      if (decoded !== '/' && decoded !== '/index.html') {
        const file = await load(decoded);
        if (file) {
          const type = TYPES[path.extname(decoded).toLowerCase()] ?? 'application/octet-stream';
          const isHtml = type.startsWith('text/html');
          return send(c, file, type, HASHED_ASSET.test(decoded) ? IMMUTABLE : isHtml ? NO_CACHE : SHORT, {
            'x-content-type-options': 'nosniff',
            ...(isHtml ? HTML_HEADERS : {}),
          });
        }
        // A missing file (under /assets/, or named like a static file) is a 404, not the app. Other
        // dotted paths are the app's own routes, e.g. /inbox/<id>/6281234567890@s.whatsapp.net.
        if (decoded.startsWith('/assets/') || Object.hasOwn(TYPES, path.extname(decoded).toLowerCase())) return next();
      }

      const index = await load('index.html');
      if (!index) {
        return c.body(MISSING_BUILD, 503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '30' });
      }
      return send(c, index, 'text/html; charset=utf-8', NO_CACHE, HTML_HEADERS);
    });
  };
}
