/** What an IP layer tells the transport layer; one reused object per decoder. */
export interface IpResult {
  /** Transport protocol number (after IPv6 extension headers). */
  proto: number;
  /** First byte of the transport header. */
  start: number;
  /** End of the transport data: the IP length bounded by the captured bytes. */
  end: number;
  /** Fragment (not atomic): byte offset of this piece, more-fragments flag, identification. */
  fragment: boolean;
  fragOffset: number;
  moreFragments: boolean;
  fragId: number;
}

export const enum IpStatus {
  Ok = 0,
  /** The header claims more bytes than were captured. */
  Truncated = 1,
  /** Impossible header values (bad version, header length below minimum, length below header). */
  Malformed = 2,
}

export function newIpResult(): IpResult {
  return { proto: 0, start: 0, end: 0, fragment: false, fragOffset: 0, moreFragments: false, fragId: 0 };
}
