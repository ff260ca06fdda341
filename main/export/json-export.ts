// Hookline's own export format: every field of the stored requests and their attempts, lossless.
// Bodies are bytes, so they travel as base64 with an explicit encoding tag (as on the wire protocol),
// plus a `text` copy when they are valid UTF-8 so the file stays readable and greppable.
import type { Attempt, StoredRequest } from '../../common/model';

/** A body in an export: `data` is authoritative, `text` is a convenience copy. */
export interface EncodedBody {
  encoding: 'base64';
  data: string;
  /** Length in bytes. */
  size: number;
  /** The body as UTF-8 text; absent when the bytes are not valid UTF-8. */
  text?: string;
}

export type ExportedAttempt = Omit<Attempt, 'responseBody'> & { responseBody?: EncodedBody };
export type ExportedRequest = Omit<StoredRequest, 'body'> & {
  body: EncodedBody;
  attempts: ExportedAttempt[];
};

export interface JsonExport {
  format: 'hookline-export';
  version: 1;
  /** ISO 8601. */
  exportedAt: string;
  requests: ExportedRequest[];
}

export interface JsonExportOptions {
  /** Clock for `exportedAt`, milliseconds since the epoch. Default Date.now. */
  now?: () => number;
}

/** The export object (JSON.stringify it to write the file); requests in the order given. */
export function toJsonExport(
  requests: Array<StoredRequest & { attempts?: Attempt[] }>,
  options: JsonExportOptions = {},
): JsonExport {
  return {
    format: 'hookline-export',
    version: 1,
    exportedAt: new Date((options.now ?? Date.now)()).toISOString(),
    requests: requests.map(({ attempts = [], body, ...rest }) => ({
      ...rest,
      body: encodeBody(body),
      attempts: attempts.map(({ responseBody, ...a }) =>
        responseBody === undefined ? a : { ...a, responseBody: encodeBody(responseBody) },
      ),
    })),
  };
}

/** Bytes → base64 with a tag, and UTF-8 text when valid. */
export function encodeBody(bytes: Uint8Array): EncodedBody {
  const encoded: EncodedBody = {
    encoding: 'base64',
    data: Buffer.from(bytes).toString('base64'),
    size: bytes.length,
  };
  try {
    encoded.text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // Not UTF-8: `data` alone carries it.
  }
  return encoded;
}

/** The exact bytes of an exported body. */
export function decodeBody(body: EncodedBody): Uint8Array {
  return new Uint8Array(Buffer.from(body.data, 'base64'));
}
