import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// bin/comms-watch.mjs runs dist/ only while it is at least as new as every source file.
function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-bin-'));
  cpSync('bin', join(dir, 'bin'), { recursive: true });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  mkdirSync(join(dir, 'src/cli'), { recursive: true });
  mkdirSync(join(dir, 'dissectors/tls'), { recursive: true });
  mkdirSync(join(dir, 'dist/src/cli'), { recursive: true });
  writeFileSync(join(dir, 'src/cli/main.ts'), "export async function main(): Promise<number> { process.stdout.write('sources'); return 0; }\n");
  writeFileSync(join(dir, 'dissectors/tls/index.ts'), 'export {};\n');
  writeFileSync(join(dir, 'dist/src/cli/main.js'), "export async function main() { process.stdout.write('build'); return 0; }\n");
  return dir;
}

function run(dir: string): string {
  const r = spawnSync(process.execPath, [join(dir, 'bin/comms-watch.mjs'), 'version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

const at = (dir: string, path: string, secs: number) => utimesSync(join(dir, path), secs, secs);

test('a build newer than every source runs; a source edited after the build sends it back to the sources', () => {
  const dir = tree();
  try {
    at(dir, 'src/cli/main.ts', 1000);
    at(dir, 'dissectors/tls/index.ts', 1000);
    at(dir, 'dist/src/cli/main.js', 2000);
    assert.is(run(dir), 'build');
    at(dir, 'dissectors/tls/index.ts', 3000);
    assert.is(run(dir), 'sources');
    rmSync(join(dir, 'dist'), { recursive: true });
    assert.is(run(dir), 'sources');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
