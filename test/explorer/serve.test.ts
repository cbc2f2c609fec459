/**
 * The explorer's static server and its command line: only files under the root are served (a path climbing out of it
 * is a 404), only GET/HEAD are answered, and the build command follows the CLI conventions (-h, exit 2 on a usage error).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../../explorer/serve';

let root: string;
let server: StaticServer;

function request(method: string, rawPath: string): Promise<{ status: number; body: string; type?: string }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    // http.request keeps the raw path as given (a URL object would normalise the '..' away before it is sent).
    const req = http.request({ host: u.hostname, port: u.port, method, path: rawPath }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-serve-'));
  fs.mkdirSync(path.join(root, 'site', 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'site', 'index.html'), '<p>hi</p>');
  fs.writeFileSync(path.join(root, 'site', 'assets', 'index.json'), '{"a":1}');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'outside the root');
  server = await serveStatic(path.join(root, 'site'));
});

afterAll(async () => {
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('explorer static server', () => {
  it('serves files under the root with their content type', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await request('GET', '/')).toMatchObject({ status: 200, body: '<p>hi</p>', type: 'text/html; charset=utf-8' });
    expect(await request('GET', '/assets/index.json')).toMatchObject({ status: 200, body: '{"a":1}', type: 'application/json' });
    expect(await request('HEAD', '/assets/index.json')).toMatchObject({ status: 200, body: '' });
  });

  it('answers 404 for missing files and for paths that climb out of the root; 405 for other methods', async () => {
    expect((await request('GET', '/nope.js')).status).toBe(404);
    expect((await request('GET', '/../secret.txt')).status).toBe(404);
    expect((await request('GET', '/%2e%2e/secret.txt')).status).toBe(404);
    expect((await request('GET', '/assets')).status).toBe(404); // a folder is not a file
    expect((await request('POST', '/')).status).toBe(405);
  });

  it('refuses to serve a folder without index.html', async () => {
    await expect(serveStatic(root)).rejects.toThrow(`${root} has no index.html: build the page first (npm run explorer)`);
  });
});

describe('explorer command line', () => {
  const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
  const run = (...args: string[]) => spawnSync(tsx, ['explorer/build.ts', ...args], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });

  it('prints usage for -h and exits 2 on a usage error, naming it', () => {
    const h = run('-h');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^usage: npm run explorer/);
    const bad = run('--bogus');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/explorer: Unknown option '--bogus'/);
    const port = run('--serve', '--port', 'x1');
    expect(port.status).toBe(2);
    expect(port.stderr).toMatch(/--port must be an integer in \[0, 65535\], got "x1"/);
  });
});
