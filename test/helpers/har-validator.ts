// A structural validator for HAR 1.2: the fields the spec marks required, with their types.
// http://www.softwareishard.com/blog/har-12-spec/
type Shape = Record<string, 'string' | 'number' | 'boolean' | 'object' | 'array' | Validator>;
type Validator = (v: unknown, at: string, errors: string[]) => void;

function check(shape: Shape, optional: Shape = {}): Validator {
  return (v, at, errors) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return void errors.push(`${at}: not an object`);
    const o = v as Record<string, unknown>;
    const one = (key: string, type: Shape[string], required: boolean) => {
      if (!(key in o)) return required ? void errors.push(`${at}.${key}: missing`) : undefined;
      const value = o[key];
      if (typeof type === 'function') return type(value, `${at}.${key}`, errors);
      const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
      if (actual !== type) errors.push(`${at}.${key}: ${actual}, expected ${type}`);
    };
    for (const [k, t] of Object.entries(shape)) one(k, t, true);
    for (const [k, t] of Object.entries(optional)) one(k, t, false);
  };
}
const list =
  (item: Validator): Validator =>
  (v, at, errors) =>
    Array.isArray(v)
      ? v.forEach((x, i) => item(x, `${at}[${i}]`, errors))
      : void errors.push(`${at}: not an array`);
const isoDate: Validator = (v, at, errors) => {
  if (typeof v !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v)) {
    errors.push(`${at}: not an ISO 8601 date-time`);
  }
};
const nameValue = check({ name: 'string', value: 'string' }, { comment: 'string' });
const cookie = check(
  { name: 'string', value: 'string' },
  {
    path: 'string',
    domain: 'string',
    expires: isoDate,
    httpOnly: 'boolean',
    secure: 'boolean',
    comment: 'string',
  },
);
const postData = check(
  { mimeType: 'string' },
  {
    params: list(check({ name: 'string' }, { value: 'string', fileName: 'string', contentType: 'string' })),
    text: 'string',
    comment: 'string',
  },
);
const request = check(
  {
    method: 'string',
    url: 'string',
    httpVersion: 'string',
    cookies: list(cookie),
    headers: list(nameValue),
    queryString: list(nameValue),
    headersSize: 'number',
    bodySize: 'number',
  },
  { postData, comment: 'string' },
);
const content = check(
  { size: 'number', mimeType: 'string' },
  { compression: 'number', text: 'string', encoding: 'string', comment: 'string' },
);
const response = check(
  {
    status: 'number',
    statusText: 'string',
    httpVersion: 'string',
    cookies: list(cookie),
    headers: list(nameValue),
    content,
    redirectURL: 'string',
    headersSize: 'number',
    bodySize: 'number',
  },
  { comment: 'string' },
);
const timings = check(
  { send: 'number', wait: 'number', receive: 'number' },
  { blocked: 'number', dns: 'number', connect: 'number', ssl: 'number', comment: 'string' },
);
const entry = check(
  { startedDateTime: isoDate, time: 'number', request, response, cache: 'object', timings },
  { pageref: 'string', serverIPAddress: 'string', connection: 'string', comment: 'string' },
);
const har = check({
  log: check(
    { version: 'string', creator: check({ name: 'string', version: 'string' }), entries: list(entry) },
    { browser: check({ name: 'string', version: 'string' }), pages: 'array', comment: 'string' },
  ),
});
export function validateHar(v: unknown): string[] {
  const errors: string[] = [];
  har(v, 'har', errors);
  return errors;
}
