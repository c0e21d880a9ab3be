import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initialState, reduce, type DashConnection, type DashState } from '../../src/dashboard/state.js';
import { renderText } from '../../src/dashboard/views.js';
import { displayWidth } from '../../src/dashboard/text.js';
import type { FindingRecord } from '../../src/findings/finding.js';
import { analyze } from '../e2e/helpers.js';

/**
 * The pure views on the records of real captures: captures/mixed.pcap (with its key log) and
 * captures/hostile-strings.pcap, whose facts captures/README.md gives by hand.
 */
async function state(): Promise<DashState> {
  const s = initialState('veth0');
  for (const argv of [['captures/mixed.pcap', '--keylog', 'captures/mixed.keylog'], ['captures/hostile-strings.pcap']]) {
    const run = await analyze([...argv, '--json', '--config', 'captures/cluster.yaml']);
    assert.is(run.exitCode, 0, run.stderr);
    for (const r of run.records) {
      if (r.type === 'connection') reduce(s, { kind: 'connection', record: r as unknown as DashConnection });
      if (r.type === 'finding') reduce(s, { kind: 'finding', record: r as unknown as FindingRecord });
    }
  }
  reduce(s, { kind: 'tick', totals: { packets: 266, bytes: 85000, kernelDrops: 0, ifaceDrops: 0, connections: 0 }, now: Date.parse('2026-12-06T21:00:00Z') });
  return s;
}

const HOSTILE_PAIRS = ['[fd00:77:61::1] -> [fd00:77:61::2]:10250', '10.77.61.1 -> 10.77.61.2:10250', '10.77.61.1 -> 10.77.61.2:10255'];

for (const [w, h] of [[80, 24], [120, 40], [200, 60]] as const) {
  test(`${w}x${h}: every line exactly the width, finding rows one line each with whole addresses`, async () => {
    const s = await state();
    const lines = renderText(s, w, h);
    assert.is(lines.length, h);
    for (const l of lines) assert.is(displayWidth(l), w, l);
    const rows = lines.filter((l) => /^│(CRIT|HIGH|MED|LOW|INFO)/.test(l));
    assert.ok(rows.length >= 4, `${rows.length} rows`);
    for (const r of rows) assert.match(r, /(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]) -> (\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):\d+[ │]/);
    if (h >= 40) for (const p of HOSTILE_PAIRS) assert.ok(rows.some((r) => r.includes(p)), `${p} in a row`);
    for (const l of lines) assert.not.match(l, /[\x00-\x1f\x7f-\x9f\u202e\ufffd]/);
  });
}

test('the detail of the hostile kubelet path, by evidence source, wrapped within 80 columns', async () => {
  const s = await state();
  for (const k of ['/', ...'10.77.61.2:10250', 'enter', 'enter']) reduce(s, { kind: 'key', key: k }, 1);
  assert.is(s.mode, 'detail');
  reduce(s, { kind: 'key', key: 'down' }, 0);
  assert.is(s.detailScroll, 0, 'scrolling is bounded by what the app says is left');
  const lines = renderText(s, 80, 200);
  for (const l of lines) assert.is(displayWidth(l), 80, l);
  const text = lines.join('\n');
  assert.match(text, /│ {2}server chain {2}observed {3}self-signed/);
  assert.match(text, /│ {2}client auth {3}observed {3}not-requested/);
  assert.match(text, /│ {2}HIGH {10}observed {3}kubelet-cert-unverifiable x1/);
  assert.ok(text.includes('漢字テスト'));
  assert.ok(text.includes('evil\\u{202e}gnp'));
});

test('TLS 1.3 without keys rests on inference; with the key log, on decryption', async () => {
  const s = await state();
  for (const [filter, chain, auth] of [['10.77.61.2:6443', 'not seen', 'inferred'], ['10.20.0.10:6443', 'decrypted', 'decrypted']] as const) {
    for (const k of ['escape', '/', ...filter, 'enter', 'enter']) reduce(s, { kind: 'key', key: k }, 1);
    const text = renderText(s, 120, 60).join('\n');
    assert.match(text, new RegExp(`server chain  ${chain}`), text);
    assert.match(text, new RegExp(`client auth   ${auth}`), text);
    reduce(s, { kind: 'key', key: 'escape' }, 1);
  }
});

test.run();
