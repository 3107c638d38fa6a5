/**
 * POSIX `cksum` (CRC-32, polynomial 0x04C11DB7, most significant bit first, the length
 * appended): what `cksum < file` prints, "<crc> <size>". The SQLite dry run's script compares it
 * with the main file it checked, using a tool every POSIX shell environment has.
 */
const TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  TABLE[i] = c >>> 0;
}

function step(crc: number, byte: number): number {
  return ((crc << 8) ^ (TABLE[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
}

export function posixCksum(data: Uint8Array): string {
  let crc = 0;
  for (const byte of data) crc = step(crc, byte);
  for (let n = data.length; n > 0; n = Math.floor(n / 256)) crc = step(crc, n & 0xff);
  return `${(~crc >>> 0).toString()} ${data.length}`;
}
