// Starts the checkout service for a test: schema, app, real HTTP server, and a manual clock.
import type { Pool } from "pg";
import { manualClock, startServer, type ManualClock } from "@backend-sandbox/testkit";
import { createApp } from "#src/app";
import { migrate } from "#src/schema";
import { postOrder } from "./post-order";
import { deliverWebhook } from "./webhook-delivery";

export async function startCheckout(
  pg: Pool,
  webhookSecret: string,
  clock: ManualClock = manualClock(),
) {
  await migrate(pg);
  const server = await startServer(createApp({ pg, webhookSecret, now: clock.now }));
  return {
    url: server.url,
    clock,
    /** Delivers a webhook with this Stripe-Signature value (undefined leaves the header out). */
    deliver: (body: string | Buffer, signatureHeader?: string) =>
      deliverWebhook(server.url, body, signatureHeader),
    postOrder: (order: unknown) => postOrder(server.url, order),
    unixNow: () => Math.floor(clock.now() / 1000),
  };
}
