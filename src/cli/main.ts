import { readFileSync } from 'node:fs';
import { runAnalyze } from '../app/analyze.js';
import { runWatch } from '../app/watch.js';
import { runProbe } from '../app/probe-command.js';
import { UsageError } from '../core/usage-error.js';
import { parseCommandLine } from './args.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { MAIN_HELP } from './help.js';

/** The package's version: package.json sits two levels up from the sources, three from the build in dist/. */
function version(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'comms-watch') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

/** Runs the command line; returns the exit code (SPEC "Command line"). */
export async function main(argv: string[]): Promise<number> {
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  try {
    const args = parseCommandLine(argv);
    switch (args.command) {
      case 'help':
        process.stdout.write(MAIN_HELP);
        return EXIT_OK;
      case 'version':
        process.stdout.write(`comms-watch ${version()}\n`);
        return EXIT_OK;
      case 'analyze':
        return (await runAnalyze(args, io)).exitCode;
      case 'probe':
        return await runProbe(args, io);
      case 'watch': {
        const code = await runWatch(args, io);
        // Every output is flushed and closed by now. libpcap in non-blocking mode notices
        // pcap_breakloop only while it reads a packet, so on a quiet link node_pcap's poll handle
        // outlives its close() and would hold the process.
        process.exit(code);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`comms-watch: ${e.message} (see comms-watch --help)\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`comms-watch: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT_INTERNAL;
  }
}
