#!/usr/bin/env node
// Runs the compiled build (dist/, `npm run build`) when it is at least as new as every source file,
// else the TypeScript sources through tsx: a build can speed things up (start-up, and the packet
// loop runs faster compiled by tsc than through tsx) but can never run stale code.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('dist/src/cli/main.js', root);

function mtime(url) {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return -1;
  }
}

function newestSource() {
  let newest = 0;
  for (const dir of ['src', 'dissectors']) {
    let names = [];
    try {
      names = readdirSync(new URL(`${dir}/`, root), { recursive: true });
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.endsWith('.ts')) newest = Math.max(newest, mtime(new URL(`${dir}/${name}`, root)));
    }
  }
  return newest;
}

const builtAt = mtime(built);
let main;
if (builtAt >= 0 && builtAt >= newestSource()) {
  ({ main } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
