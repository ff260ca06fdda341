// Branded ids: a ChannelId cannot be passed where a RequestId is expected.
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A relay channel: the `<id>` in `…/h/<id>`. URL-safe, ≥ 128 bits of randomness (or a custom name). */
export type ChannelId = Brand<string, 'ChannelId'>;
/** One captured request, assigned by the relay; unique across channels; the dedupe key downstream. */
export type RequestId = Brand<string, 'RequestId'>;
/** A subscriber's stable name, kept in its data dir; the relay keeps one cursor per subscriber. */
export type SubscriberId = Brand<string, 'SubscriberId'>;
/** One attempt (forward, replay, workflow step). */
export type AttemptId = Brand<string, 'AttemptId'>;

export const asChannelId = (s: string) => s as ChannelId;
export const asRequestId = (s: string) => s as RequestId;
export const asSubscriberId = (s: string) => s as SubscriberId;
export const asAttemptId = (s: string) => s as AttemptId;

/** Channel ids and names: URL-safe, 1–64 characters. */
export const CHANNEL_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
