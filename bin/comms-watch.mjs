#!/usr/bin/env node
// Runs the TypeScript sources through tsx: there is no separate build to forget or to go stale.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
