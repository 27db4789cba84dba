// The checkout service's HTTP side: signed payment webhooks in, orders in (announced through the
// outbox). Keep the exported names and signatures; see README.md for the routes.
import express from "express";
import type { Pool } from "pg";

export interface AppOptions {
  pg: Pool;
  /** The webhook signing secret shared with the provider. */
  webhookSecret: string;
  now?: () => number;
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  // TODO(webhooks): POST /webhooks/payments verifies the signature over the raw body, then applies the event.
  app.post(
    "/webhooks/payments",
    (_req, res) => void res.status(501).json({ error: "not implemented" }),
  );
  // TODO(outbox): POST /orders validates the order (README R5.1) and creates it (see orders.ts).
  app.post("/orders", (_req, res) => void res.status(501).json({ error: "not implemented" }));
  return app;
}
