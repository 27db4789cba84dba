// The checkout service's HTTP side: signed payment webhooks in, orders out (through the outbox).
import express, { type ErrorRequestHandler } from "express";
import type { Pool } from "pg";
import { createOrder } from "./orders";
import { applyPaymentEvent, isPaymentEvent } from "./payment-events";
import { verifySignature, WebhookSignatureError } from "./webhook-signature";

export interface AppOptions {
  pg: Pool;
  /** The webhook signing secret shared with the provider. */
  webhookSecret: string;
  now?: () => number;
}

export function createApp({ pg, webhookSecret, now = Date.now }: AppOptions): express.Express {
  const app = express();

  // express.raw, not express.json: the signature covers the exact bytes the provider sent.
  app.post(
    "/webhooks/payments",
    express.raw({ type: () => true, limit: "256kb" }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        verifySignature(raw, req.get("stripe-signature"), webhookSecret, now());
      } catch (error) {
        if (!(error instanceof WebhookSignatureError)) throw error;
        res.status(400).json({ error: "invalid_signature", detail: error.message });
        return;
      }
      let event: unknown;
      try {
        event = JSON.parse(raw.toString("utf8"));
      } catch {
        event = undefined;
      }
      if (!isPaymentEvent(event)) {
        res.status(400).json({ error: "invalid_event" });
        return;
      }
      // A failure here answers 500, so the provider delivers the event again later.
      const result = await applyPaymentEvent(pg, event);
      res.status(200).json({ received: true, duplicate: result === "duplicate" });
    },
  );

  app.post("/orders", express.json(), async (req, res) => {
    const { customerId, amountCents, currency } = (req.body ?? {}) as Record<string, unknown>;
    const valid =
      typeof customerId === "string" &&
      customerId.length > 0 &&
      customerId.length <= 100 &&
      Number.isInteger(amountCents) &&
      (amountCents as number) > 0 &&
      (amountCents as number) <= 100_000_000 &&
      typeof currency === "string" &&
      /^[a-z]{3}$/.test(currency);
    if (!valid) {
      res.status(422).json({
        error: "invalid_order",
        detail: 'customerId, positive integer amountCents, currency like "eur"',
      });
      return;
    }
    const order = await createOrder(pg, {
      customerId,
      amountCents: amountCents as number,
      currency,
    });
    res.status(201).json(order);
  });

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status =
      typeof error?.status === "number" && error.status >= 400 && error.status < 500
        ? error.status
        : 500;
    res.status(status).json({ error: status === 500 ? "internal_error" : "bad_request" });
  };
  app.use(onError);
  return app;
}
