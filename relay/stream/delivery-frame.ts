// Sends a delivery in the binary frame layout of common/protocol.ts without copying a large body:
// the length-prefixed head goes out as the first fragment of a WebSocket message and the body
// bytes, untouched, as the final fragment (RFC 6455 §5.4). The peer sees one ordinary message.
import type { WebSocket } from 'ws';
import type { CapturedRequest } from '../../common/model';
import { encodeRelayMessage } from '../../common/protocol';

/** Below this many body bytes one copied frame is cheaper than two fragments. */
const FRAGMENT_ABOVE = 64 * 1024;

export function sendDelivery(ws: WebSocket, request: CapturedRequest, onSent: (err?: Error) => void): void {
  if (request.body.byteLength < FRAGMENT_ABOVE) {
    ws.send(encodeRelayMessage({ type: 'delivery', seq: request.seq, request }), { binary: true }, onSent);
    return;
  }
  const { body, ...head } = request;
  const headBytes = Buffer.from(
    JSON.stringify({ type: 'delivery', seq: request.seq, request: head }),
    'utf8',
  );
  const prefix = Buffer.allocUnsafe(4 + headBytes.length);
  prefix.writeUInt32BE(headBytes.length, 0);
  headBytes.copy(prefix, 4);
  ws.send(prefix, { binary: true, fin: false });
  ws.send(body, { binary: true, fin: true }, onSent);
}
