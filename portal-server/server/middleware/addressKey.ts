import { isIP } from 'node:net';

/** Expands an IPv6 address (no zone) into its eight 16-bit groups, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  let text = address;
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes the two groups it stands for.
  const v4 = /:(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * The key per-address limits count under. An IPv6 client usually holds a whole /64 and can take a
 * new address in it for every request, so its limits are per /64 ("2001:db8:1:2::/64"); an
 * IPv4-mapped IPv6 address counts as its IPv4 address; IPv4 addresses count alone.
 */
export function addressKey(ip: string | null | undefined): string {
  if (!ip) {
    return 'unknown';
  }
  const zone = ip.indexOf('%');
  const address = zone >= 0 ? ip.slice(0, zone) : ip;
  if (isIP(address) !== 6) {
    return address.slice(0, 128);
  }
  const groups = ipv6Groups(address);
  if (!groups) {
    return address.slice(0, 128);
  }
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}
