// Sends a delivery in the binary frame layout of common/protocol.ts (a 4-byte big-endian head
// length, the JSON head, the exact body bytes). A small delivery is built in one pooled buffer,
// once however many subscribers receive it. Above FRAGMENT_ABOVE the body is not copied: the
// length-prefixed head goes out as the first fragment of a WebSocket message and the body bytes,
// untouched, as the final fragment (RFC 6455 §5.4). The peer sees one ordinary message.
import type { WebSocket } from 'ws';
import type { CapturedRequest } from '../../common/model';

/** Below this many body bytes one copied frame is cheaper than two fragments. */
const FRAGMENT_ABOVE = 64 * 1024;

// The hub offers one delivery to each subscriber of its channel in turn: the last frame built is
// reused for the next subscriber instead of being encoded again.
let lastRequest: CapturedRequest | undefined;
let lastFrame: Buffer | undefined;

export function sendDelivery(ws: WebSocket, request: CapturedRequest, onSent: (err?: Error) => void): void {
  const { body } = request;
  if (body.byteLength < FRAGMENT_ABOVE) {
    if (lastRequest !== request || !lastFrame) {
      lastFrame = frame(request, body);
      lastRequest = request;
    }
    ws.send(lastFrame, { binary: true }, onSent);
    return;
  }
  ws.send(frame(request, undefined), { binary: true, fin: false });
  ws.send(body, { binary: true, fin: true }, onSent);
}

/** The length prefix and JSON head, followed by `body` when given. */
function frame(r: CapturedRequest, body: Uint8Array | undefined): Buffer {
  const head = JSON.stringify({
    type: 'delivery',
    seq: r.seq,
    request: {
      id: r.id,
      channelId: r.channelId,
      seq: r.seq,
      method: r.method,
      path: r.path,
      query: r.query,
      headers: r.headers,
      receivedAt: r.receivedAt,
      sourceIp: r.sourceIp,
    },
  });
  const headLength = Buffer.byteLength(head);
  const out = Buffer.allocUnsafe(4 + headLength + (body?.byteLength ?? 0));
  out.writeUInt32BE(headLength, 0);
  out.write(head, 4, 'utf8');
  if (body) out.set(body, 4 + headLength);
  return out;
}
