/** Exit codes are part of the CLI contract (SPEC "Command line"): scripts and CI depend on them. */
export const EXIT_OK = 0;
/** Unexpected internal failure. */
export const EXIT_INTERNAL = 1;
/** Usage error, or an unreadable / malformed input file. */
export const EXIT_USAGE = 2;
/** `--fail-on SEVERITY` matched a finding. */
export const EXIT_FINDINGS = 3;
