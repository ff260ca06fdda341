// Where a JSON text goes wrong, as a 1-based line number. Node 20's JSON.parse only sometimes says "at
// position N" (never for "Unexpected token"), so this walks the text with a minimal RFC 8259 scanner to find
// the first offset that cannot continue a valid document. Used only after JSON.parse has already failed.

/** The 1-based line of the first syntax error in `text` (the last line when the text just ends early). */
export function jsonErrorLine(text: string): number {
  const offset = firstErrorOffset(text);
  return text.slice(0, Math.min(offset, text.trimEnd().length)).split('\n').length;
}

class Stop {
  constructor(readonly at: number) {}
}

function firstErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    i++;
    for (; i < text.length && text[i] !== '"'; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u' && /^[0-9a-fA-F]{4}/.test(text.slice(i + 1, i + 5))) i += 4;
        else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return container('}', true);
    if (c === '[') return container(']', false);
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!num || num[0] === '' || num[0] === '-') fail();
    i += num![0].length;
  };
  const container = (close: string, isObject: boolean): void => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      if (isObject) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
      }
      value();
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      if (text[i] !== ',') fail();
      i++;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return text.length;
  } catch (e: unknown) {
    if (e instanceof Stop) return e.at;
    throw e;
  }
}
