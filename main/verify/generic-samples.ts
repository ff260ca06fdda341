// One small, realistic sample per provider that has no richer sample in sample-payloads.ts.
import { randomUUID } from 'node:crypto';
import type { RawHeaders } from '../../common/model';
import type { ProviderId } from './types';

const JSON_TYPE: [string, string] = ['Content-Type', 'application/json'];
const iso = (now: number): string => new Date(now * 1000).toISOString();
const hex = (n: number): string => randomUUID().replace(/-/g, '').slice(0, n);
const json = (value: unknown, headers: RawHeaders = []) => ({
  body: JSON.stringify(value),
  headers: [JSON_TYPE, ...headers],
});

/** A small sample for every provider that has no specific one above. */
export function genericSample(
  provider: ProviderId,
  now: number,
): { body: string; headers: RawHeaders; eventName: string } {
  const id = randomUUID();
  switch (provider) {
    case 'twilio':
      return {
        eventName: 'message.received',
        body: `MessageSid=SM${hex(32)}&AccountSid=AC${hex(32)}&From=%2B14158675309&To=%2B18005551212&Body=Hello&SmsStatus=received`,
        headers: [['Content-Type', 'application/x-www-form-urlencoded']],
      };
    case 'square':
      return {
        eventName: 'payment.created',
        ...json({
          merchant_id: 'MLEFBHHSJGVHD',
          type: 'payment.created',
          event_id: id,
          created_at: iso(now),
          data: { type: 'payment', id: hex(20) },
        }),
      };
    case 'paddle':
      return {
        eventName: 'transaction.completed',
        ...json({
          event_id: `evt_${hex(26)}`,
          event_type: 'transaction.completed',
          occurred_at: iso(now),
          notification_id: `ntf_${hex(26)}`,
          data: { id: `txn_${hex(26)}`, status: 'completed' },
        }),
      };
    case 'linear':
      return {
        eventName: 'Issue',
        ...json(
          {
            action: 'create',
            type: 'Issue',
            createdAt: iso(now),
            data: { id, title: 'Sample issue' },
            url: 'https://linear.app/issue/LIN-1',
            webhookTimestamp: now * 1000,
            webhookId: randomUUID(),
          },
          [
            ['Linear-Event', 'Issue'],
            ['Linear-Delivery', randomUUID()],
          ],
        ),
      };
    case 'zoom':
      return {
        eventName: 'meeting.started',
        ...json({
          event: 'meeting.started',
          event_ts: now * 1000,
          payload: {
            account_id: 'AAAAAABBBB',
            object: { id: '1234567890', topic: 'Sample meeting', start_time: iso(now) },
          },
        }),
      };
    case 'twitch':
      return {
        eventName: 'channel.follow',
        ...json(
          {
            subscription: { id, type: 'channel.follow', version: '2', status: 'enabled' },
            event: {
              user_id: '1234',
              user_login: 'cool_user',
              broadcaster_user_id: '1337',
              followed_at: iso(now),
            },
          },
          [
            ['Twitch-Eventsub-Message-Type', 'notification'],
            ['Twitch-Eventsub-Subscription-Type', 'channel.follow'],
            ['Twitch-Eventsub-Subscription-Version', '2'],
          ],
        ),
      };
    case 'discord':
      return {
        eventName: 'APPLICATION_COMMAND',
        ...json({
          id: '787053080478613555',
          application_id: '123456789012345678',
          type: 2,
          token: hex(32),
          version: 1,
          data: { name: 'hello', type: 1 },
        }),
      };
    case 'sendgrid':
      return {
        eventName: 'delivered',
        ...json([
          {
            email: 'example@test.com',
            event: 'delivered',
            sg_event_id: hex(22),
            sg_message_id: hex(22),
            timestamp: now,
          },
        ]),
      };
    case 'mailgun':
      return {
        eventName: 'delivered',
        ...json({
          signature: { timestamp: String(now), token: '', signature: '' },
          'event-data': { event: 'delivered', id: hex(22), timestamp: now, recipient: 'alice@example.com' },
        }),
      };
    case 'gitlab':
      return {
        eventName: 'Push Hook',
        ...json(
          {
            object_kind: 'push',
            event_name: 'push',
            ref: 'refs/heads/main',
            project: { id: 15, path_with_namespace: 'mike/diaspora' },
          },
          [
            ['X-Gitlab-Event', 'Push Hook'],
            ['X-Gitlab-Instance', 'https://gitlab.com'],
            ['X-Gitlab-Event-UUID', id],
          ],
        ),
      };
    case 'bitbucket':
      return {
        eventName: 'repo:push',
        ...json(
          { push: { changes: [] }, repository: { full_name: 'team/repo' }, actor: { display_name: 'Alice' } },
          [
            ['X-Event-Key', 'repo:push'],
            ['X-Request-UUID', `{${id}}`],
            ['X-Hook-UUID', `{${randomUUID()}}`],
          ],
        ),
      };
    case 'jira':
      return {
        eventName: 'jira:issue_created',
        ...json(
          {
            timestamp: now * 1000,
            webhookEvent: 'jira:issue_created',
            issue: { id: '10001', key: 'PROJ-1' },
          },
          [['X-Atlassian-Webhook-Identifier', hex(16)]],
        ),
      };
    case 'intercom':
      return {
        eventName: 'conversation.user.created',
        ...json({
          type: 'notification_event',
          app_id: 'abc123',
          topic: 'conversation.user.created',
          id: `notif_${id}`,
          created_at: now,
          data: { item: { type: 'conversation' } },
        }),
      };
    case 'typeform':
      return {
        eventName: 'form_response',
        ...json({
          event_id: hex(26).toUpperCase(),
          event_type: 'form_response',
          form_response: { form_id: 'lT4Z3j', submitted_at: iso(now), answers: [] },
        }),
      };
    case 'hubspot':
      return {
        eventName: 'contact.creation',
        ...json([
          {
            eventId: 1,
            subscriptionId: 12345,
            portalId: 62515,
            occurredAt: now * 1000,
            subscriptionType: 'contact.creation',
            attemptNumber: 0,
            objectId: 123,
          },
        ]),
      };
    case 'lemonsqueezy':
      return {
        eventName: 'order_created',
        ...json(
          {
            meta: { test_mode: true, event_name: 'order_created' },
            data: { type: 'orders', id: '1', attributes: { status: 'paid', total: 999 } },
          },
          [['X-Event-Name', 'order_created']],
        ),
      };
    case 'woocommerce':
      return {
        eventName: 'order.created',
        ...json(
          {
            id: 727,
            status: 'processing',
            currency: 'USD',
            total: '29.35',
            date_created: iso(now).slice(0, 19),
          },
          [
            ['X-WC-Webhook-Topic', 'order.created'],
            ['X-WC-Webhook-Resource', 'order'],
            ['X-WC-Webhook-Event', 'created'],
            ['X-WC-Webhook-ID', '12'],
            ['X-WC-Webhook-Delivery-ID', hex(32)],
          ],
        ),
      };
    case 'meta':
      return {
        eventName: 'feed',
        ...json({
          object: 'page',
          entry: [
            {
              id: '1234567890',
              time: now,
              changes: [{ field: 'feed', value: { item: 'status', verb: 'add' } }],
            },
          ],
        }),
      };
    case 'dropbox':
      return {
        eventName: 'list_folder',
        ...json({
          list_folder: { accounts: ['dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc'] },
          delta: { users: [12345] },
        }),
      };
    case 'okta':
      return {
        eventName: 'user.session.start',
        ...json({
          eventType: 'com.okta.event_hook',
          eventTypeVersion: '1.0',
          cloudEventsVersion: '0.1',
          eventId: id,
          eventTime: iso(now),
          data: { events: [{ uuid: randomUUID(), published: iso(now), eventType: 'user.session.start' }] },
        }),
      };
    case 'paypal':
      return {
        eventName: 'PAYMENT.CAPTURE.COMPLETED',
        ...json({
          id: `WH-${hex(17).toUpperCase()}`,
          event_version: '1.0',
          create_time: iso(now),
          resource_type: 'capture',
          event_type: 'PAYMENT.CAPTURE.COMPLETED',
          resource: { id: hex(17).toUpperCase(), status: 'COMPLETED' },
        }),
      };
    default:
      return {
        eventName: 'sample.event',
        ...json({ id, type: 'sample.event', created: now, data: { message: 'Hello from Hookline' } }),
      };
  }
}
