// Starts the checkout service for a test: schema, app, real HTTP server, and a controllable clock.
import type { Pool } from "pg";
import { startServer } from "@backend-sandbox/testkit";
import { createApp } from "#src/app";
import { migrate } from "#src/schema";
import { virtualTime, type VirtualTime } from "./virtual-time";

export async function startCheckout(pg: Pool, webhookSecret: string, clock: VirtualTime = virtualTime()) {
  await migrate(pg);
  const server = await startServer(createApp({ pg, webhookSecret, now: clock.now }));
  const deliver = (body: string | Buffer, signatureHeader?: string) =>
    fetch(`${server.url}/webhooks/payments`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(signatureHeader ? { "stripe-signature": signatureHeader } : {}) },
      body,
    });
  const postOrder = (order: unknown) =>
    fetch(`${server.url}/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(order) });
  return { url: server.url, clock, deliver, postOrder, unixNow: () => Math.floor(clock.now() / 1000) };
}
