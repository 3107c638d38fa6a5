/**
 * A download by a client that stops reading: an export POST over a raw socket that waits for
 * the 200 and some bytes, then pauses the socket (no FIN), so the server's writes back up.
 */
import net from 'node:net';
import type { SignedIn } from './browser-session.js';
import { cookieHeader } from './oidc-flow.js';

export async function pausedDownload(appUrl: string, browser: SignedIn, workspaceId: string): Promise<net.Socket> {
  const url = new URL(appUrl);
  const body = new URLSearchParams({ _csrf: browser.csrf }).toString();
  const socket = net.connect({ host: url.hostname, port: Number(url.port) });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    [
      `POST /workspaces/${workspaceId}/export HTTP/1.1`,
      `Host: ${url.host}`,
      `Cookie: ${cookieHeader(browser.agent, appUrl)}`,
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
  let head = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.length > 64 * 1024) {
        socket.off('data', onData);
        socket.pause();
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed early: ${head.slice(0, 200)}`)));
  });
  if (!head.startsWith('HTTP/1.1 200')) throw new Error(`the export did not start: ${head.slice(0, 200)}`);
  return socket;
}
