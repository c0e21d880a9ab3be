import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { displayWidth, pack, padTo, safeText, truncate, wrap } from '../../src/dashboard/text.js';
import { fit, rowLines, titleRow, type Column } from '../../src/dashboard/table.js';

// Widths written by hand from Unicode's East Asian Width (UAX #11): 漢 and 字 are W (2 columns each).
test('display width counts wide characters as two columns and surrogate pairs as one character', () => {
  assert.is(displayWidth('abc'), 3);
  assert.is(displayWidth('漢字'), 4);
  assert.is(displayWidth('ﾃｽﾄ'), 3, 'halfwidth katakana is narrow');
  assert.is(displayWidth('𠀋'), 2, 'U+2000B, a CJK Extension B ideograph: one character, two columns');
  assert.is(displayWidth('…'), 1);
});

test('safeText spells controls, bidi overrides, combining marks, zero-width characters and emoji as text', () => {
  assert.is(safeText('plain ascii'), 'plain ascii');
  assert.is(safeText('\x1b]0;pwned\x07'), '\\u{1b}]0;pwned\\u{7}');
  assert.is(safeText('a\u009bb'), 'a\\u{9b}b', 'C1 CSI');
  assert.is(safeText('evil\u202egnp.exe'), 'evil\\u{202e}gnp.exe');
  assert.is(safeText('e\u0301'), 'e\\u{301}');
  assert.is(safeText('a\u200db'), 'a\\u{200d}b');
  assert.is(safeText('🔥'), '\\u{1f525}');
  assert.is(safeText('𝐀'), '\\u{1d400}', 'an astral letter: blessed would count it as two columns');
  assert.is(safeText('naïve 漢字 ﾃｽﾄ'), 'naïve 漢字 ﾃｽﾄ', 'Latin-1 and CJK pass');
  assert.is(safeText('bad\ufffdbyte'), 'bad\\u{fffd}byte', 'an undecodable byte is named, not shown as a replacement character');
});

test('truncate never cuts inside a character and marks the cut', () => {
  assert.is(truncate('authorization', 10), 'authoriza…');
  assert.is(truncate('short', 10), 'short');
  assert.is(truncate('漢字漢字', 6), '漢字…', 'a wide character that would straddle the edge is left out');
  assert.is(displayWidth(truncate('漢字漢字', 6)), 5);
  assert.is(truncate('a𠀋b', 3), 'a…', 'the surrogate pair stays whole');
  assert.is(truncate('abc', 0), '');
  for (let w = 1; w < 12; w++) assert.ok(displayWidth(truncate('漢a字b漢c字d', w)) <= w, `width ${w}`);
});

test('padTo fills to exactly the width, left or right', () => {
  assert.is(padTo('ab', 5), 'ab   ');
  assert.is(padTo('ab', 5, 'right'), '   ab');
  assert.is(padTo('漢字', 5), '漢字 ');
  assert.is(displayWidth(padTo('漢字漢字', 5)), 5);
});

test('wrap breaks at spaces, keeps inner spacing and the hanging indent, never exceeds the width', () => {
  const fix = 'Turn on kubelet x509 client authentication: authentication.x509.clientCAFile (--client-ca-file), authentication.anonymous.enabled: false and authorization.mode: Webhook in the KubeletConfiguration.';
  const lines = wrap(`  fix: ${fix}`, 40, 7);
  for (const l of lines) assert.ok(displayWidth(l) <= 40, l);
  assert.is(lines[0], '  fix: Turn on kubelet x509 client');
  assert.is(lines[1], '       authentication:');
  // Every word survives whole, in order.
  assert.is(lines.map((l) => l.trim()).join(' '), `fix: ${fix}`);
  assert.equal(wrap('a  b', 10), ['a  b'], 'aligned columns keep their spaces');
});

test('wrap breaks a word longer than the line between characters, wide ones included', () => {
  assert.equal(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  const w = wrap('漢字漢字漢', 5);
  assert.equal(w, ['漢字', '漢字', '漢']);
  assert.equal(wrap('x CN=aaaaaaaaaa', 6, 2), ['x', '  CN=a', '  aaaa', '  aaaa', '  a']);
  assert.equal(wrap('', 5), ['']);
});

test('pack keeps each part whole, on one line when they fit', () => {
  assert.equal(pack(['10.244.1.7', '-> 10.20.0.10:8080'], 40), ['10.244.1.7 -> 10.20.0.10:8080']);
  assert.equal(pack(['fd00:77:61::1', '-> [fd00:77:61::2]:10255'], 25), ['fd00:77:61::1', '-> [fd00:77:61::2]:10255']);
});

interface R { sev: string; rule: string; addr: string[]; n: string }
const cols: Column<R>[] = [
  { title: 'SEVERITY', shortTitle: 'SEV', get: (r) => r.sev, compact: (r) => r.sev.slice(0, 4), min: 4, keep: 0, give: 0 },
  { title: 'RULE', get: (r) => r.rule, min: 8, keep: 0, give: 1 },
  { title: 'CLIENT -> SERVER', get: (r) => r.addr, keep: 0, give: 9 },
  { title: 'COUNT', get: (r) => r.n, keep: 1, give: 9, align: 'right' },
];
const rows: R[] = [{ sev: 'CRITICAL', rule: 'cleartext-credentials', addr: ['10.244.1.7', '-> 10.20.0.10:8080'], n: 'x12' }];

test('fit: everything at natural width when it fits', () => {
  const f = fit(cols, rows, 80);
  assert.equal(f.widths, [8, 21, 29, 5]);
  assert.equal(rowLines(f, rows[0]!), ['CRITICAL cleartext-credentials 10.244.1.7 -> 10.20.0.10:8080   x12']);
});

test('fit: narrower, the compact severity goes first, then the optional column, then the rule shrinks; the address never', () => {
  // 8+21+29+5 + 3 gaps = 66; at 62 the severity becomes CRIT.
  let f = fit(cols, rows, 62);
  assert.equal(rowLines(f, rows[0]!), ['CRIT cleartext-credentials 10.244.1.7 -> 10.20.0.10:8080   x12']);
  assert.is(titleRow(f), 'SEV  RULE                  CLIENT -> SERVER              COUNT');
  // At 50 COUNT is dropped, and the rule is cut with an ellipsis.
  f = fit(cols, rows, 50);
  assert.equal(f.columns.map((c) => c.title), ['SEVERITY', 'RULE', 'CLIENT -> SERVER']);
  const [line] = rowLines(f, rows[0]!);
  assert.ok(line!.includes('10.244.1.7 -> 10.20.0.10:8080'), line);
  assert.ok(displayWidth(line!) <= 50);
  assert.match(line!, /^CRIT cleartext-cred…/);
  // Narrower than the address: it goes on two lines, each address whole.
  f = fit(cols, rows, 36);
  const lines = rowLines(f, rows[0]!);
  assert.is(lines.length, 2);
  assert.match(lines[0]!, '10.244.1.7');
  assert.match(lines[1]!, '-> 10.20.0.10:8080');
  for (const l of lines) assert.ok(displayWidth(l) <= 36, l);
});

test.run();
