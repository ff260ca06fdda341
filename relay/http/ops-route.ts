// `GET /healthz` (liveness) and `GET /metrics` (Prometheus text).
import express, { type Router } from 'express';
import type { GaugeReadings, RelayMetrics } from '../metrics';

export function opsRoute(metrics: RelayMetrics, gauges: () => Promise<GaugeReadings>): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/metrics', async (_req, res) => {
    res.type('text/plain; version=0.0.4').send(metrics.render(await gauges()));
  });
  return router;
}
