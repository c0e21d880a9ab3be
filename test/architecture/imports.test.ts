import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * DESIGN.md's one-way rule: a module imports core and the stages to its left, never to its right;
 * dissectors import only core and their own folder.
 */
const RANK: Record<string, number> = {
  'src/core': 0,
  'src/capture': 1,
  'src/secrets': 1,
  'src/decode': 2,
  'src/flows': 3,
  'src/reassembly': 4,
  'src/dispatch': 5,
  dissectors: 6,
  'src/facts': 7,
  'src/cluster': 8,
  'src/node': 8,
  'src/probe': 8,
  'src/classify': 9,
  'src/rules': 10,
  'src/findings': 11,
  'src/outputs': 12,
  'src/dashboard': 12,
  'src/pipeline': 13,
  'src/app': 14,
  'src/cli': 15,
};

const root = resolve('.');

function stageOf(file: string): string | null {
  const rel = relative(root, file).split('\\').join('/');
  if (rel.startsWith('dissectors/')) return 'dissectors';
  const m = /^src\/([^/]+)\//.exec(rel);
  return m ? `src/${m[1]}` : null;
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = [...walk(resolve('src'), []), ...walk(resolve('dissectors'), [])];
const importRe = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

test('every source file belongs to a known stage', () => {
  const unknown = files.filter((f) => {
    const s = stageOf(f);
    return s === null || RANK[s] === undefined;
  });
  assert.equal(unknown.map((f) => relative(root, f)), []);
});

test('no import points to a stage on its right', () => {
  const bad: string[] = [];
  for (const f of files) {
    const from = stageOf(f);
    if (from === null || RANK[from] === undefined) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      if (!spec) continue;
      const target = resolve(dirname(f), spec);
      const to = stageOf(target);
      if (to === null || RANK[to] === undefined) continue;
      if (from === 'dissectors') {
        const ownFolder = relative(root, f).split('/').slice(0, 2).join('/');
        const targetRel = relative(root, target).split('\\').join('/');
        if (to !== 'src/core' && !targetRel.startsWith(ownFolder + '/')) bad.push(`${relative(root, f)} -> ${spec}`);
        continue;
      }
      if (RANK[to]! > RANK[from]!) bad.push(`${relative(root, f)} -> ${spec}`);
    }
  }
  assert.equal(bad, []);
});

test.run();
