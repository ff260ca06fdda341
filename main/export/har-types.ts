// HAR 1.2 object shapes (http://www.softwareishard.com/blog/har-12-spec/). Custom fields start with '_',
// as the spec asks.

export interface Har {
  log: HarLog;
}

export interface HarLog {
  version: '1.2';
  creator: { name: string; version: string };
  entries: HarEntry[];
}

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  /** ISO 8601 date-time. */
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
}

export interface HarPostData {
  mimeType: string;
  params: HarNameValue[];
  text: string;
  comment?: string;
  /** 'base64' when `text` is the body base64-encoded (not part of HAR 1.2 for postData). */
  _encoding?: 'base64';
}

export interface HarRequest {
  method: string;
  url: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  queryString: HarNameValue[];
  postData?: HarPostData;
  /** -1: the raw header block is not kept. */
  headersSize: number;
  /** Body size in bytes. */
  bodySize: number;
}

export interface HarContent {
  /** Body size in bytes (of what was kept). */
  size: number;
  mimeType: string;
  text?: string;
  encoding?: 'base64';
  comment?: string;
}

export interface HarResponse {
  /** 0 when there was no response. */
  status: number;
  statusText: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  content: HarContent;
  redirectURL: string;
  headersSize: number;
  /** Bytes, or -1 when unknown (no response, or a truncated one). */
  bodySize: number;
  comment?: string;
  /** Why no (complete) response came, e.g. 'ECONNREFUSED: Connection refused …'. */
  _error?: string;
}

export interface HarTimings {
  /** Milliseconds; -1 where not measured (blocked, dns, connect, ssl are left out). */
  send: number;
  wait: number;
  receive: number;
}

export interface HarEntry {
  /** ISO 8601, when the relay received the request. */
  startedDateTime: string;
  /** Total milliseconds of the latest attempt's round trip: the sum of the timings. */
  time: number;
  request: HarRequest;
  response: HarResponse;
  cache: Record<string, never>;
  timings: HarTimings;
  _requestId: string;
  _channelId: string;
  _sourceIp?: string;
  /** The URL the response came from (the forward or replay target). */
  _target?: string;
}
