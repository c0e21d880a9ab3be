import { isIPv4, isIPv6 } from 'node:net';

/** An address as a number: IPv4 in 32 bits, IPv6 in 128. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) counts as IPv4. */
export interface IpNumber {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  /** Network address with the host bits cleared. */
  base: bigint;
  prefix: number;
  mask: bigint;
  text: string;
}

const MAPPED_PREFIX = 0xffffn << 32n;

function parseV4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | null {
  // Zone ids (`%eth0`) never appear in packets; refuse them rather than drop them.
  if (!isIPv6(s) || s.includes('%')) return null;
  let text = s;
  let tail: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail = parseV4(text.slice(lastColon + 1));
    if (tail === null) return null;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const rest = halves.length > 1 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : fill < 0) return null;
  const groups = [...head, ...new Array<string>(halves.length > 1 ? fill : 0).fill('0'), ...rest];
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g, 16));
  if (tail !== null) v = (v & ~0xffffffffn) | tail;
  return v;
}

/** Parses a literal IPv4 or IPv6 address (no zone id); null when it is not one. */
export function parseIp(s: string): IpNumber | null {
  if (isIPv4(s)) {
    const v = parseV4(s);
    return v === null ? null : { family: 4, value: v };
  }
  const v = parseV6(s);
  if (v === null) return null;
  if (v >> 32n === 0xffffn && (v & ~0xffffffffn) === MAPPED_PREFIX) return { family: 4, value: v & 0xffffffffn };
  return { family: 6, value: v };
}

/** Same address, whatever its spelling (`fd00::1` = `fd00:0::0:1`, `::ffff:10.0.0.1` = `10.0.0.1`). */
export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== null && y !== null && x.family === y.family && x.value === y.value;
}

/** `10.0.0.0/8`, `fd00::/64`, or a bare address (a /32 or /128). Null when malformed. */
export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  const ipText = slash < 0 ? s : s.slice(0, slash);
  const ip = parseIp(ipText);
  if (ip === null) return null;
  const width = ip.family === 4 ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    // An IPv4-mapped network given in IPv6 notation keeps its meaning in IPv4 bits.
    if (ip.family === 4 && isIPv6(ipText)) prefix -= 96;
    if (prefix < 0 || prefix > width) return null;
  }
  const m = mask(ip.family, prefix);
  return { family: ip.family, base: ip.value & m, prefix, mask: m, text: s };
}

function mask(family: 4 | 6, prefix: number): bigint {
  const width = family === 4 ? 32n : 128n;
  const all = (1n << width) - 1n;
  return prefix === 0 ? 0n : (all >> (width - BigInt(prefix))) << (width - BigInt(prefix));
}

export function cidrContains(c: Cidr, ip: IpNumber): boolean {
  return c.family === ip.family && (ip.value & c.mask) === c.base;
}

/** A list of networks; `has` answers whether an address lies in any of them. */
export class CidrSet {
  readonly cidrs: readonly Cidr[];

  constructor(cidrs: Cidr[] = []) {
    this.cidrs = cidrs;
  }

  get size(): number {
    return this.cidrs.length;
  }

  has(ip: string | IpNumber): boolean {
    const n = typeof ip === 'string' ? parseIp(ip) : ip;
    if (n === null) return false;
    for (const c of this.cidrs) if (cidrContains(c, n)) return true;
    return false;
  }

  /** The first network holding the address, for evidence strings. */
  find(ip: string): Cidr | null {
    const n = parseIp(ip);
    if (n === null) return null;
    for (const c of this.cidrs) if (cidrContains(c, n)) return c;
    return null;
  }

  concat(other: CidrSet): CidrSet {
    return new CidrSet([...this.cidrs, ...other.cidrs]);
  }
}
