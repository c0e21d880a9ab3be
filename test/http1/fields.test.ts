import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addHeader, emptyHeaders, type Headers } from '../../dissectors/http1/message.js';
import { rng } from '../helpers/rng.js';

/** RFC 9110 5.1 / 9112 5: a field line is token ":" OWS value OWS; names are case-insensitive. The plain reading, for comparison. */
function reference(h: Headers, line: string): boolean {
  const colon = line.indexOf(':');
  if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(line.slice(0, colon))) return false;
  h.count++;
  const value = line.slice(colon + 1).trim();
  switch (line.slice(0, colon).toLowerCase()) {
    case 'host': h.host ??= value; break;
    case 'content-length':
      if (h.contentLength !== null && h.contentLength !== value) h.contentLengthConflict = true;
      h.contentLength ??= value;
      break;
    case 'transfer-encoding': h.transferEncoding = h.transferEncoding === null ? value : `${h.transferEncoding}, ${value}`; break;
    case 'upgrade': h.upgrade ??= value; break;
    case 'connection': h.connection ??= value; break;
    case 'user-agent': h.userAgent ??= value; break;
    case 'content-type': h.contentType ??= value; break;
    case 'authorization': h.authorization ??= value; break;
    case 'proxy-authorization': h.proxyAuthorization ??= value; break;
    case 'cookie': h.cookie = h.cookie === null ? value : `${h.cookie}; ${value}`; break;
  }
  return true;
}

const NAMES = ['Host', 'HOST', 'host', 'Content-Length', 'content-LENGTH', 'Transfer-Encoding', 'Upgrade', 'Connection', 'User-Agent',
  'Content-Type', 'Authorization', 'AUTHORIZATION', 'Proxy-Authorization', 'Cookie', 'Accept', 'X-Host', 'Hosts', 'Hos', 'Content_Length',
  'Content-Lengtj', 'Uaer-Agent', 'Cookie^', 'Cooki~', 'Content\rType', 'Host ', ' Host', 'Authorisation', 'Set-Cookie', 'Connectiom'];

test('field names are matched case-insensitively and exactly, as the plain reading does, for used, near and malformed names', () => {
  const r = rng(21);
  for (let round = 0; round < 300; round++) {
    const a = emptyHeaders();
    const b = emptyHeaders();
    for (let i = 0; i < 12; i++) {
      let name = NAMES[Math.floor(r() * NAMES.length)]!;
      if (r() < 0.2) name = name.replace(/[a-z]/, (c) => String.fromCharCode(c.charCodeAt(0) ^ (r() < 0.5 ? 0x20 : 0x01)));
      const line = r() < 0.1 ? `${name}` : `${name}:${r() < 0.5 ? ' ' : ''}value-${i}${r() < 0.3 ? ' \t' : ''}`;
      assert.is(addHeader(a, line), reference(b, line), line);
    }
    assert.equal(a, b);
  }
});

test.run();
