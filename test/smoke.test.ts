import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addr } from '../src/facts/connection.js';

test('IPv6 endpoints are bracketed', () => {
  assert.is(addr({ ip: 'fd00::1', port: 443 }), '[fd00::1]:443');
  assert.is(addr({ ip: '10.0.0.1', port: 6443 }), '10.0.0.1:6443');
});

test.run();
