// Prometheus text exposition (format 0.0.4) for the relay, kept as plain counters so the hot
// path pays a Map lookup per request at most. Gauges are read when scraped.

export type DropReason = 'retention' | 'byte_cap';

/** Ingest latency buckets, in seconds: from arrival to the sender's answer. */
const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface GaugeReadings {
  buffered: number;
  bufferedBytes: number;
  subscribers: number;
  waiting: number;
}

export class RelayMetrics {
  private readonly requests = new Map<number, number>();
  private readonly dropped = new Map<DropReason, number>([
    ['retention', 0],
    ['byte_cap', 0],
  ]);
  deliveries = 0;
  acks = 0;
  bytes = 0;
  channelsCreated = 0;
  private readonly latencyCounts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  private latencySum = 0;
  private latencyCount = 0;

  /** Counts one answered capture by its HTTP status. */
  request(status: number): void {
    this.requests.set(status, (this.requests.get(status) ?? 0) + 1);
  }

  drop(reason: DropReason, count: number): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + count);
  }

  /** Records one capture's time from arrival to answer, in ms. */
  ingestLatency(ms: number): void {
    const sec = ms / 1000;
    this.latencySum += sec;
    this.latencyCount += 1;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (sec <= LATENCY_BUCKETS[i]!) {
        this.latencyCounts[i]! += 1;
        break;
      }
    }
  }

  render(gauges: GaugeReadings): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    family('hookline_relay_requests_total', 'counter', 'Captures answered, by HTTP status code.');
    for (const [code, n] of [...this.requests].sort((a, b) => a[0] - b[0]))
      out.push(`hookline_relay_requests_total{code="${code}"} ${n}`);
    family('hookline_relay_deliveries_total', 'counter', 'Deliveries sent to subscribers.');
    out.push(`hookline_relay_deliveries_total ${this.deliveries}`);
    family('hookline_relay_acks_total', 'counter', 'Ack messages received from subscribers.');
    out.push(`hookline_relay_acks_total ${this.acks}`);
    family('hookline_relay_bytes_total', 'counter', 'Body bytes captured and stored.');
    out.push(`hookline_relay_bytes_total ${this.bytes}`);
    family('hookline_relay_channels_created_total', 'counter', 'Channels created.');
    out.push(`hookline_relay_channels_created_total ${this.channelsCreated}`);
    family('hookline_relay_dropped_total', 'counter', 'Unacked deliveries dropped, by reason.');
    for (const [reason, n] of this.dropped) out.push(`hookline_relay_dropped_total{reason="${reason}"} ${n}`);
    family('hookline_relay_buffered', 'gauge', 'Deliveries held in the store.');
    out.push(`hookline_relay_buffered ${gauges.buffered}`);
    family('hookline_relay_buffered_bytes', 'gauge', 'Body bytes held in the store.');
    out.push(`hookline_relay_buffered_bytes ${gauges.bufferedBytes}`);
    family('hookline_relay_subscribers', 'gauge', 'Subscriber sockets past the handshake.');
    out.push(`hookline_relay_subscribers ${gauges.subscribers}`);
    family('hookline_relay_waiting_senders', 'gauge', 'Senders held in wait mode.');
    out.push(`hookline_relay_waiting_senders ${gauges.waiting}`);

    family('hookline_relay_ingest_seconds', 'histogram', 'Time from a capture arriving to its answer.');
    let cumulative = 0;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      cumulative += this.latencyCounts[i]!;
      out.push(`hookline_relay_ingest_seconds_bucket{le="${LATENCY_BUCKETS[i]}"} ${cumulative}`);
    }
    out.push(`hookline_relay_ingest_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    out.push(`hookline_relay_ingest_seconds_sum ${this.latencySum}`);
    out.push(`hookline_relay_ingest_seconds_count ${this.latencyCount}`);
    return out.join('\n') + '\n';
  }
}
