import { describe, expect, it } from 'vitest';
import { dumpAttachmentHeader } from '../../src/web/content-disposition.js';
import { maskQuery } from '../../src/web/logger.js';
import { SessionCodec } from '../../src/web/session-codec.js';
import { SessionRevocations } from '../../src/web/services/session-revocations.js';
import { ExportSlots, isDenial } from '../../src/web/services/export-slots.js';

const SECRET = 'a'.repeat(32);
const session = { sid: 'sid-1', sub: 'c0ffee00-0000-4000-8000-000000000001', email: 'anne@example.com', csrf: 'token', exp: 2_000_000_000 };

describe('SessionCodec', () => {
  it('round-trips a session and hides its content', () => {
    const codec = new SessionCodec(SECRET, 'cookie');
    const sealed = codec.seal(session);
    expect(codec.open(sealed, 1_000)).toEqual(session);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('anne');
  });

  it('rejects tampering, another key, another cookie name and expiry', () => {
    const codec = new SessionCodec(SECRET, 'cookie');
    const sealed = codec.seal(session);
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    expect(codec.open(bytes.toString('base64url'), 1_000)).toBeNull();
    expect(new SessionCodec('b'.repeat(32), 'cookie').open(sealed, 1_000)).toBeNull();
    expect(new SessionCodec(SECRET, 'other').open(sealed, 1_000)).toBeNull();
    expect(codec.open(sealed, 2_000_000_001)).toBeNull();
    expect(codec.open('garbage', 1_000)).toBeNull();
    expect(codec.open(undefined)).toBeNull();
  });
});

describe('SessionRevocations', () => {
  it('refuses a signed-out session until it would have expired anyway, then forgets it', () => {
    let now = 1_000;
    const revoked = new SessionRevocations(2, () => now);
    revoked.add('a', 1_100);
    expect(revoked.has('a')).toBe(true);
    expect(revoked.has('b')).toBe(false);
    now = 1_100;
    expect(revoked.has('a')).toBe(false);
    revoked.add('b', 2_000);
    revoked.add('c', 2_000);
    revoked.add('d', 2_000); // over the cap: the oldest record goes
    expect([revoked.has('b'), revoked.has('c'), revoked.has('d')]).toEqual([false, true, true]);
  });
});

describe('dumpAttachmentHeader', () => {
  it('keeps ASCII names as they are', () => {
    expect(dumpAttachmentHeader('Bretagne', false)).toBe('attachment; filename="fief_dump_Bretagne.sql"');
    expect(dumpAttachmentHeader('Bretagne', true)).toBe('attachment; filename="fief_dump_Bretagne.sql.gz"');
  });

  it('adds an RFC 5987 filename* for other names, with a safe ASCII fallback', () => {
    const header = dumpAttachmentHeader('Café "Crème"/../x', false);
    expect(header).toBe(`attachment; filename="fief_dump_Cafe_Creme_.._x.sql"; filename*=UTF-8''fief_dump_Caf%C3%A9%20_Cr%C3%A8me_.._x.sql`);
    expect(dumpAttachmentHeader('日本', false)).toContain("filename*=UTF-8''fief_dump_%E6%97%A5%E6%9C%AC.sql");
  });

  it('drops bidi controls and line/paragraph separators from filename*', () => {
    // "Acme\u202Elqs.exe" would display as "Acmeexe.sql" reversed: a file that lies about its type.
    const controls = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C', '\u2028', '\u2029'];
    for (const control of controls) {
      const header = dumpAttachmentHeader(`Café${control}gpj`, false);
      expect(header, escape(control)).toBe(`attachment; filename="fief_dump_Cafe_gpj.sql"; filename*=UTF-8''fief_dump_Caf%C3%A9gpj.sql`);
    }
    expect(dumpAttachmentHeader('\u202E\u2028', false)).toBe('attachment; filename="fief_dump_workspace.sql"');
  });
});

describe('maskQuery', () => {
  it('keeps query keys and drops their values', () => {
    expect(maskQuery('/auth/callback?code=abc&state=xyz')).toBe('/auth/callback?code=~&state=~');
    expect(maskQuery('/workspaces')).toBe('/workspaces');
  });
});

describe('ExportSlots', () => {
  it('allows one export per person and caps the total', () => {
    const slots = new ExportSlots(2);
    const a = slots.tryAcquire('a');
    expect(isDenial(a)).toBe(false);
    expect(slots.tryAcquire('a')).toEqual({ busy: 'person' });
    const b = slots.tryAcquire('b');
    expect(slots.tryAcquire('c')).toEqual({ busy: 'global' });
    if (isDenial(a) || isDenial(b)) throw new Error('unexpected denial');
    a.release();
    a.release(); // idempotent
    expect(slots.active).toBe(1);
    expect(isDenial(slots.tryAcquire('c'))).toBe(false);
  });
});
