import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CidrSet, parseCidr, parseIp, sameIp } from '../../src/cluster/cidr.js';

function set(...c: string[]): CidrSet {
  return new CidrSet(c.map((x) => parseCidr(x)!));
}

test('IPv4 CIDR membership at the edges', () => {
  const s = set('10.244.0.0/16');
  assert.ok(s.has('10.244.0.0'));
  assert.ok(s.has('10.244.255.255'));
  assert.not.ok(s.has('10.245.0.0'));
  assert.not.ok(s.has('10.243.255.255'));
  assert.ok(set('10.96.0.0/12').has('10.111.255.255'));
  assert.not.ok(set('10.96.0.0/12').has('10.112.0.0'));
  assert.ok(set('0.0.0.0/0').has('203.0.113.7'));
  assert.ok(set('10.20.0.10').has('10.20.0.10'));
  assert.not.ok(set('10.20.0.10').has('10.20.0.11'));
});

test('IPv6 CIDR membership, compressed and full spellings', () => {
  const s = set('fd00:10:244::/56');
  assert.ok(s.has('fd00:10:244::1'));
  assert.ok(s.has('fd00:10:244:ff:ffff:ffff:ffff:ffff'));
  assert.not.ok(s.has('fd00:10:244:100::'));
  assert.ok(set('fd00::1').has('fd00:0:0:0:0:0:0:1'));
  assert.not.ok(s.has('10.244.0.1'));
  assert.not.ok(set('10.0.0.0/8').has('fd00::1'));
});

test('IPv4-mapped IPv6 addresses count as IPv4', () => {
  assert.ok(set('10.0.0.0/8').has('::ffff:10.1.2.3'));
  assert.ok(sameIp('::ffff:10.1.2.3', '10.1.2.3'));
  assert.equal(parseIp('::ffff:10.1.2.3'), { family: 4, value: 0x0a010203n });
});

test('malformed addresses and prefixes are refused', () => {
  for (const bad of ['10.0.0.0/33', '10.0.0/8', '10.0.0.256', 'fd00::/129', 'fd00::1::2', 'node1', '10.0.0.0/', '10.0.0.0/-1', '']) {
    assert.is(parseCidr(bad), null, bad);
  }
  assert.is(parseIp('fe80::1%eth0'), null);
});

test('host bits are cleared from the network address', () => {
  assert.is(parseCidr('10.20.1.77/24')!.base, 0x0a140100n);
  assert.ok(set('10.20.1.77/24').has('10.20.1.1'));
});

test.run();
