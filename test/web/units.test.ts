import { describe, expect, it } from 'vitest';
import { dumpAttachmentHeader } from '../../src/web/content-disposition.js';
import { pino } from 'pino';
import { loggerOptions, maskQuery } from '../../src/web/logger.js';
import { SESSION_TTL_SECONDS } from '../../src/web/plugins/session.js';
import { SessionRevocations } from '../../src/web/services/session-revocations.js';
import { ExportSlots, isDenial } from '../../src/web/services/export-slots.js';
import { sessionSealer } from './helpers/forged-session.js';

const SECRET = 'a'.repeat(32);
const session = { sid: 'sid-1', sub: 'c0ffee00-0000-4000-8000-000000000001', email: 'anne@example.com', _csrf: 'csrf secret' };

const sealer = (secret: string, previous: string[] = [], cookieName = 'cookie') => sessionSealer(secret, previous, cookieName);

describe('session cookie sealing', () => {
  it('round-trips a session and hides its content', async () => {
    const app = await sealer(SECRET);
    const sealed = app.encodeSecureSession(app.createSecureSession({ ...session }));
    expect(app.decodeSecureSession(sealed)?.data()).toEqual(session);
    expect(Buffer.from(sealed.split(';')[0]!, 'base64').toString('latin1')).not.toContain('anne');
  });

  it('rejects tampering, another key, another cookie name and expiry', async () => {
    const app = await sealer(SECRET);
    const sealed = app.encodeSecureSession(app.createSecureSession({ ...session }));
    const [cipher = '', nonce = ''] = sealed.split(';');
    const bytes = Buffer.from(cipher, 'base64');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    expect(app.decodeSecureSession(`${bytes.toString('base64')};${nonce}`)).toBeNull();
    expect((await sealer('b'.repeat(32))).decodeSecureSession(sealed)).toBeNull();
    expect((await sealer(SECRET, [], 'other')).decodeSecureSession(sealed)).toBeNull();
    const signedInTooLongAgo = Math.floor(Date.now() / 1000) - SESSION_TTL_SECONDS - 1;
    expect(app.decodeSecureSession(app.encodeSecureSession(app.createSecureSession({ ...session, __ts: signedInTooLongAgo })))).toBeNull();
    expect(app.decodeSecureSession('garbage')).toBeNull();
  });

  it('opens cookies of a previous SECRET, marked to be sealed again with the current one', async () => {
    const old = await sealer(SECRET);
    const sealed = old.encodeSecureSession(old.createSecureSession({ ...session }));
    const rotated = await sealer('n'.repeat(32), [SECRET]);
    const opened = rotated.decodeSecureSession(sealed);
    expect(opened?.data()).toEqual(session);
    expect(opened?.changed).toBe(true);
    // Sealed again by the rotated app, it no longer needs the old secret.
    expect((await sealer('n'.repeat(32))).decodeSecureSession(rotated.encodeSecureSession(opened!))?.data()).toEqual(session);
    expect((await sealer('n'.repeat(32))).decodeSecureSession(sealed)).toBeNull();
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

describe('log redaction', () => {
  it('hides secrets at the top level and one level down, and keeps error codes', () => {
    const lines: string[] = [];
    const log = pino(loggerOptions({ logLevel: 'info' }), { write: (line: string) => void lines.push(line) });
    log.info({ secret: 's3cret-top', token: 'tok-top', config: { encryptionKey: 'key-nested', password: 'pw-nested' } }, 'one');
    log.error({ err: Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }) }, 'two');
    const text = lines.join('');
    for (const secret of ['s3cret-top', 'tok-top', 'key-nested', 'pw-nested']) expect(text).not.toContain(secret);
    expect(text).toContain('"code":"ECONNREFUSED"');
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
