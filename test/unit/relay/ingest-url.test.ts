import { describe, expect, it } from 'vitest';
import { splitCaptureUrl } from '../../../relay/ingest/ingest-route';

describe('splitCaptureUrl', () => {
  it('splits the channel id, the raw path suffix and the raw query', () => {
    expect(splitCaptureUrl('/h/ch_1/a%2Fb/c?x=1&x=2')).toEqual({
      id: 'ch_1',
      path: '/a%2Fb/c',
      query: 'x=1&x=2',
    });
  });
  it("gives '' for a missing suffix and query", () => {
    expect(splitCaptureUrl('/h/ch_1')).toEqual({ id: 'ch_1', path: '', query: '' });
    expect(splitCaptureUrl('/h/ch_1/')).toEqual({ id: 'ch_1', path: '/', query: '' });
    expect(splitCaptureUrl('/h/ch_1?')).toEqual({ id: 'ch_1', path: '', query: '' });
  });
  it('keeps a question mark inside the query', () => {
    expect(splitCaptureUrl('/h/c?a=?b')).toEqual({ id: 'c', path: '', query: 'a=?b' });
  });
});
