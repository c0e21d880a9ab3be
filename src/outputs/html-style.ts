/** The HTML report's style sheet, inlined so that the file opens anywhere with nothing to fetch. */
export const REPORT_CSS = `
:root { --insecure: #c62828; --unverified: #d97a00; --secure: #2e7d32; --unknown: #6b7280;
  --critical: #8e0000; --high: #c62828; --medium: #d97a00; --low: #1565c0; --info: #6b7280;
  --ink: #1f2933; --muted: #5f6b7a; --line: #d8dee6; --paper: #ffffff; --wash: #f4f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); background: var(--wash); }
header.top { background: #1d2733; color: #fff; padding: 18px 32px 12px; }
header.top h1 { margin: 0; font-size: 22px; }
header.top .files { margin: 2px 0 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; color: #c9d4e0; overflow-wrap: anywhere; }
header.top .intro { margin: 6px 0 8px; color: #dbe3ec; }
header.top nav a { color: #9ecbff; margin-right: 16px; text-decoration: none; }
main { padding: 8px 32px 32px; max-width: 1500px; }
h2 { font-size: 18px; margin: 26px 0 10px; }
h2.group-title { border-bottom: 2px solid var(--line); padding-bottom: 4px; }
code, .kv td, .host-name, .edge-label, .http td { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
code { font-size: 12.5px; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: var(--paper); border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 118px; }
.card .n { display: block; font-size: 22px; font-weight: 700; }
.card .what { color: var(--muted); font-size: 12.5px; }
.card.zero { opacity: 0.55; }
.card.verdict-insecure, .card.sev-high { border-left-color: var(--high); }
.card.verdict-unverified, .card.sev-medium { border-left-color: var(--medium); }
.card.verdict-secure { border-left-color: var(--secure); }
.card.sev-critical { border-left-color: var(--critical); }
.card.sev-low { border-left-color: var(--low); }
.damage, .lost { color: var(--insecure); font-weight: 600; }
.span, .note, .legend, .seen, .cis { color: var(--muted); }
.map-scroll { overflow-x: auto; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 6px; }
.path-map { display: block; }
.path-map .group rect { fill: #f7f9fc; stroke: #b8c4d2; stroke-width: 1.2; }
.path-map .group-control-plane rect { fill: #eef4fd; }
.path-map .group-node rect { fill: #f1f8ef; }
.path-map .group-pod rect { fill: #fbf6ea; }
.path-map .group-title { font-size: 13px; font-weight: 700; fill: #3b4a5c; }
.path-map .host rect { fill: #fff; stroke: #51606f; stroke-width: 1.5; }
.path-map .host text { text-anchor: middle; }
.path-map .host-role { font-size: 11px; fill: var(--muted); }
.path-map .host-name { font-size: 13px; font-weight: 700; fill: var(--ink); }
.path-map .lifeline { stroke: #9aa7b6; stroke-width: 1; stroke-dasharray: 4 4; }
.path-map .edge path { fill: none; stroke-width: 3; }
.path-map .edge-label { font-size: 12px; fill: var(--ink); }
.path-map .edge-path { font-weight: 700; }
.path-map a:hover .edge-label { text-decoration: underline; }
.path-map .verdict-secure path, .path-map .verdict-secure circle, .path-map .marker-secure path { stroke: var(--secure); fill: var(--secure); }
.path-map .verdict-unverified path, .path-map .verdict-unverified circle, .path-map .marker-unverified path { stroke: var(--unverified); fill: var(--unverified); }
.path-map .verdict-insecure path, .path-map .verdict-insecure circle, .path-map .marker-insecure path { stroke: var(--insecure); fill: var(--insecure); }
.path-map .verdict-unknown path, .path-map .verdict-unknown circle, .path-map .marker-unknown path { stroke: var(--unknown); fill: var(--unknown); }
.path-map .edge > path { fill: none; }
.path-map .verdict-secure .edge-verdict { fill: var(--secure); font-weight: 700; }
.path-map .verdict-unverified .edge-verdict { fill: var(--unverified); font-weight: 700; }
.path-map .verdict-insecure .edge-verdict { fill: var(--insecure); font-weight: 700; }
.legend .key { margin-right: 18px; font-weight: 600; }
.legend .swatch { display: inline-block; width: 22px; height: 5px; margin: 0 5px 3px 0; border-radius: 2px; }
.swatch.verdict-secure { background: var(--secure); } .swatch.verdict-unverified { background: var(--unverified); } .swatch.verdict-insecure { background: var(--insecure); }
.badge { display: inline-block; border-radius: 4px; padding: 0 7px; font-size: 12px; font-weight: 700; color: #fff; text-transform: uppercase; letter-spacing: 0.02em; background: var(--unknown); }
.badge.rule-badge { text-transform: none; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 600; text-decoration: none; }
.badge.sev-critical { background: var(--critical); } .badge.sev-high { background: var(--high); } .badge.sev-medium { background: var(--medium); }
.badge.sev-low { background: var(--low); } .badge.sev-info { background: var(--info); }
.badge.verdict-insecure { background: var(--insecure); } .badge.verdict-unverified { background: var(--unverified); } .badge.verdict-secure { background: var(--secure); }
.finding, section.path { background: var(--paper); border: 1px solid var(--line); border-left: 5px solid var(--unknown); border-radius: 6px; padding: 10px 16px; margin: 10px 0; }
.finding.sev-critical { border-left-color: var(--critical); } .finding.sev-high { border-left-color: var(--high); }
.finding.sev-medium { border-left-color: var(--medium); } .finding.sev-low { border-left-color: var(--low); }
section.path.verdict-insecure { border-left-color: var(--insecure); } section.path.verdict-unverified { border-left-color: var(--unverified); }
section.path.verdict-secure { border-left-color: var(--secure); }
.finding header { font-size: 15px; }
.finding .rule { font-weight: 700; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.finding .where, .finding .count { color: var(--muted); }
.finding .seen { margin: 2px 0 4px; font-size: 12.5px; }
.evidence { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
.evidence dt { color: var(--muted); }
.evidence dd { margin: 0; }
.fix { margin: 6px 0 2px; }
section.path h3 { margin: 2px 0 6px; font-size: 15px; }
section.path .server { font-family: ui-monospace, "DejaVu Sans Mono", monospace; color: var(--muted); }
.kv { border-collapse: collapse; margin: 4px 0; }
.kv th { text-align: left; font-weight: 500; color: var(--muted); padding: 1px 14px 1px 0; vertical-align: top; white-space: nowrap; }
.kv td { padding: 1px 0; font-size: 12.5px; overflow-wrap: anywhere; }
.validation-trusted { color: var(--secure); font-weight: 700; }
.validation-self-signed, .validation-untrusted, .validation-expired, .validation-name-mismatch { color: var(--insecure); font-weight: 700; }
.validation-unknown { color: var(--unverified); font-weight: 700; }
.weak, .credential { color: var(--insecure); font-weight: 700; }
.chain h4 { margin: 8px 0 2px; font-size: 13px; }
.chain ol { margin: 0; padding-left: 22px; }
.cert .subject { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 700; overflow-wrap: anywhere; }
.chain-none { color: var(--muted); margin: 4px 0; }
table.http { border-collapse: collapse; margin: 6px 0; font-size: 12.5px; }
table.http th { text-align: left; color: var(--muted); font-weight: 500; border-bottom: 1px solid var(--line); padding: 2px 12px 2px 0; }
table.http td { padding: 2px 12px 2px 0; vertical-align: top; }
table.http td.path { overflow-wrap: anywhere; max-width: 560px; }
footer { color: var(--muted); padding: 0 32px 24px; font-size: 12.5px; }
@media print { body { background: #fff; } .map-scroll { overflow: visible; } }
`;
