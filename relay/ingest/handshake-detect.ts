// Provider handshakes must be answered by the app, in the HTTP response, within the provider's deadline
// (Zoom's is 3 s), even on a channel in `ack` mode. The relay holds no secrets, so it cannot answer them
// itself; it only recognises requests that look like one and holds the sender briefly for the app's
// answer (see ingest-route.ts). Checks are cheap: a header, a query key, or a marker in a small body.
// The shapes follow ../shared/SIGNATURES.md "Challenge / handshake summary".
import type { RawHeaders } from '../../common/model';

/** Bodies larger than this are never handshakes (the real ones are well under 1 KB). */
const MAX_HANDSHAKE_BODY = 8 * 1024;

const BODY_MARKERS = [
  'url_verification', // Slack
  'endpoint.url_validation', // Zoom
];

const HEADER_LENGTHS = new Set(
  ['x-okta-verification-challenge', 'twitch-eventsub-message-type', 'x-signature-ed25519'].map(
    (n) => n.length,
  ),
);

export function looksLikeHandshake(
  method: string,
  query: string,
  headers: RawHeaders,
  body: Uint8Array,
): boolean {
  for (const [name, value] of headers) {
    // This runs on every capture while a subscriber is connected: only a name of the right
    // length is lowercased.
    if (!HEADER_LENGTHS.has(name.length)) continue;
    const n = name.toLowerCase();
    if (n === 'x-okta-verification-challenge') return true;
    if (n === 'twitch-eventsub-message-type' && value === 'webhook_callback_verification') return true;
    if (
      n === 'x-signature-ed25519' &&
      body.length <= MAX_HANDSHAKE_BODY &&
      /"type"\s*:\s*1\b/.test(text(body))
    ) {
      return true; // Discord interactions PING
    }
  }
  if (method === 'GET') return /(^|&)(hub\.challenge|challenge)=/.test(query); // Meta, Dropbox
  if (body.length === 0 || body.length > MAX_HANDSHAKE_BODY) return false;
  const bytes = view(body);
  return BODY_MARKERS.some((m) => bytes.includes(m, 0, 'latin1'));
}

function view(body: Uint8Array): Buffer {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function text(body: Uint8Array): string {
  return view(body).toString('latin1');
}
