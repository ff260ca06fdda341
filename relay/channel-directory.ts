// Channels by id, in front of the store. A channel never changes after it is created, so a found
// one is cached for the life of the process and the capture path does not query the store for it.
import type { ChannelId } from '../common/ids';
import type { ChannelRecord, DeliveryStore } from './store/delivery-store';

export class ChannelDirectory {
  private readonly cache = new Map<string, ChannelRecord>();

  constructor(private readonly store: () => DeliveryStore) {}

  /** The cached channel, without touching the store. */
  cached(id: string): ChannelRecord | undefined {
    return this.cache.get(id);
  }

  async get(id: ChannelId): Promise<ChannelRecord | undefined> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const found = await this.store().getChannel(id);
    if (found) this.cache.set(id, found);
    return found;
  }

  async create(channel: Omit<ChannelRecord, 'lastSeq'>): Promise<ChannelRecord> {
    const created = await this.store().createChannel(channel);
    this.cache.set(created.id, created);
    return created;
  }
}
