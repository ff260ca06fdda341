// Realistic sample webhook payloads per provider, shaped like the real ones (ids and times are made up).
import { randomUUID } from 'node:crypto';
import type { RawHeaders } from '../../common/model';
import type { ProviderId } from './types';

export interface SampleDefinition {
  provider: ProviderId;
  eventName: string;
  description: string;
  /** Builds the body and event headers; `now` in unix seconds. */
  build(now: number): { body: string; headers: RawHeaders };
}

const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];
const iso = (now: number): string => new Date(now * 1000).toISOString();
const hex = (n: number): string => randomUUID().replace(/-/g, '').slice(0, n);

const json = (value: unknown, headers: RawHeaders = [], pretty = false) => ({
  body: pretty ? `${JSON.stringify(value, null, 2)}\n` : JSON.stringify(value),
  headers: [JSON_TYPE, ...headers],
});

const user = { login: 'octocat', id: 1, type: 'User' };

export const SAMPLES: SampleDefinition[] = [
  {
    provider: 'stripe',
    eventName: 'payment_intent.succeeded',
    description: 'a card payment of $20.00 succeeded',
    build: (now) =>
      json(
        {
          id: `evt_3${hex(23)}`,
          object: 'event',
          api_version: '2024-06-20',
          created: now,
          data: {
            object: {
              id: `pi_3${hex(23)}`,
              object: 'payment_intent',
              amount: 2000,
              amount_received: 2000,
              currency: 'usd',
              customer: `cus_${hex(14)}`,
              latest_charge: `ch_3${hex(23)}`,
              livemode: false,
              metadata: { order_id: '6735' },
              payment_method: `pm_1${hex(23)}`,
              payment_method_types: ['card'],
              status: 'succeeded',
              created: now - 2,
            },
          },
          livemode: false,
          pending_webhooks: 1,
          request: { id: `req_${hex(14)}`, idempotency_key: randomUUID() },
          type: 'payment_intent.succeeded',
        },
        [['User-Agent', 'Stripe/1.0 (+https://stripe.com/docs/webhooks)']],
        true,
      ),
  },
  {
    provider: 'github',
    eventName: 'pull_request',
    description: 'a pull request was closed and merged',
    build: (now) =>
      json(
        {
          action: 'closed',
          number: 42,
          pull_request: {
            id: 1_789_000_042,
            number: 42,
            state: 'closed',
            title: 'Add webhook signature verification',
            user,
            body: 'Verifies every provider we support.',
            created_at: iso(now - 86_400),
            closed_at: iso(now),
            merged_at: iso(now),
            merged: true,
            merged_by: user,
            merge_commit_sha: hex(32) + hex(8),
            head: { ref: 'feature/verify', sha: hex(32) + hex(8) },
            base: { ref: 'main', sha: hex(32) + hex(8) },
            html_url: 'https://github.com/octo-org/hello-world/pull/42',
          },
          repository: { id: 1296269, name: 'hello-world', full_name: 'octo-org/hello-world', private: false },
          sender: user,
        },
        [
          ['User-Agent', 'GitHub-Hookshot/7f3c2a1'],
          ['X-GitHub-Event', 'pull_request'],
          ['X-GitHub-Delivery', randomUUID()],
          ['X-GitHub-Hook-ID', '492135612'],
        ],
      ),
  },
  {
    provider: 'github',
    eventName: 'push',
    description: 'commits were pushed to main',
    build: () =>
      json(
        {
          ref: 'refs/heads/main',
          before: hex(32) + hex(8),
          after: hex(32) + hex(8),
          repository: { id: 1296269, full_name: 'octo-org/hello-world' },
          pusher: { name: 'octocat', email: 'octocat@github.com' },
          commits: [{ id: hex(32) + hex(8), message: 'Fix the build', author: { name: 'octocat' } }],
        },
        [
          ['X-GitHub-Event', 'push'],
          ['X-GitHub-Delivery', randomUUID()],
        ],
      ),
  },
  {
    provider: 'standard-webhooks',
    eventName: 'invoice.paid',
    description: 'a Standard Webhooks event (webhook-* headers)',
    build: (now) =>
      json({
        type: 'invoice.paid',
        timestamp: iso(now),
        data: { id: `inv_${hex(16)}`, amount: 4900, currency: 'EUR' },
      }),
  },
  {
    provider: 'shopify',
    eventName: 'orders/create',
    description: 'an order was placed',
    build: (now) =>
      json(
        {
          id: 820982911946154500,
          admin_graphql_api_id: 'gid://shopify/Order/820982911946154508',
          email: 'jon@example.com',
          created_at: iso(now),
          currency: 'USD',
          financial_status: 'paid',
          name: '#9999',
          order_number: 1234,
          total_price: '403.00',
          subtotal_price: '393.00',
          total_tax: '0.00',
          customer: {
            id: 115310627314723950,
            email: 'john@example.com',
            first_name: 'John',
            last_name: 'Smith',
          },
          line_items: [
            {
              id: 866550311766439000,
              title: 'IPod Nano - 8GB',
              quantity: 1,
              price: '199.00',
              sku: 'IPOD2008PINK',
            },
          ],
        },
        [
          ['X-Shopify-Topic', 'orders/create'],
          ['X-Shopify-Shop-Domain', 'example.myshopify.com'],
          ['X-Shopify-API-Version', '2024-07'],
          ['X-Shopify-Webhook-Id', randomUUID()],
          ['X-Shopify-Event-Id', randomUUID()],
          ['X-Shopify-Triggered-At', iso(now)],
        ],
      ),
  },
  {
    provider: 'slack',
    eventName: 'app_mention',
    description: 'the app was mentioned in a channel (Events API)',
    build: (now) =>
      json({
        token: 'XXYYZZ',
        team_id: 'T061EG9R6',
        api_app_id: 'A0PNCHHK2',
        event: {
          type: 'app_mention',
          user: 'U061F7AUR',
          text: '<@U0LAN0Z89> is it everything a river should be?',
          ts: `${now}.000200`,
          channel: 'C0LAN2Q65',
          event_ts: `${now}.000200`,
        },
        type: 'event_callback',
        event_id: `Ev${hex(9).toUpperCase()}`,
        event_time: now,
      }),
  },
];
