import { describe, expect, it } from 'vitest';
import { AppError } from '../../../common/errors';
import { joinTargetUrl, resolveTarget } from '../../../main/forward/target-url';

describe('joinTargetUrl', () => {
  it.each([
    ['http://localhost:3000/webhooks', '/stripe', 'a=1', 'http://localhost:3000/webhooks/stripe?a=1'],
    ['http://localhost:3000/webhooks/', '/stripe', '', 'http://localhost:3000/webhooks/stripe'],
    ['http://localhost:3000/webhooks//', '/x', '', 'http://localhost:3000/webhooks/x'],
    ['http://localhost:3000/webhooks', 'stripe', '', 'http://localhost:3000/webhooks/stripe'],
    ['http://localhost:3000/webhooks', '', '', 'http://localhost:3000/webhooks'],
    ['http://localhost:3000/webhooks/', '', '', 'http://localhost:3000/webhooks/'],
    ['http://localhost:3000', '', '', 'http://localhost:3000/'],
    ['http://localhost:3000', '/a', 'b=2', 'http://localhost:3000/a?b=2'],
    [
      'http://localhost:3000/hooks?src=relay',
      '/gh',
      'a=1&a=2',
      'http://localhost:3000/hooks/gh?src=relay&a=1&a=2',
    ],
    ['http://localhost:3000/hooks?src=relay', '', '', 'http://localhost:3000/hooks?src=relay'],
    ['http://localhost:3000/hooks#frag', '/x', '', 'http://localhost:3000/hooks/x'],
    ['https://example.com:443/h', '/x', '', 'https://example.com/h/x'],
  ])('joins %s + %s + ?%s', (target, path, query, expected) => {
    expect(joinTargetUrl(target, path, query)).toBe(expected);
  });

  it('appends the path suffix without re-encoding it', () => {
    expect(joinTargetUrl('http://h/w', '/a%2Fb/%E2%9C%93', 'q=%20+x')).toBe(
      'http://h/w/a%2Fb/%E2%9C%93?q=%20+x',
    );
  });

  it('splits IPv6 hosts for the socket and keeps brackets in Host', () => {
    const t = resolveTarget('http://[::1]:8080/w', '/x', '');
    expect(t).toMatchObject({ hostname: '::1', port: 8080, host: '[::1]:8080', pathAndQuery: '/w/x' });
  });

  it.each(['localhost:3000', 'ftp://example.com/', 'not a url', ''])('rejects the target %j', (target) => {
    expect(() => joinTargetUrl(target, '', '')).toThrow(AppError);
  });
});
