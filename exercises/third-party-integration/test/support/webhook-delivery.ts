// Delivers a webhook to the service the way the provider does.
import { request, type HttpReply } from "@backend-sandbox/testkit";

/** POSTs `body` to `${baseUrl}/webhooks/payments` with exactly this Stripe-Signature value: undefined leaves the header out, "" sends it empty. */
export function deliverWebhook(
  baseUrl: string,
  body: string | Buffer,
  signatureHeader?: string,
): Promise<HttpReply> {
  return request(`${baseUrl}/webhooks/payments`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signatureHeader === undefined ? {} : { "stripe-signature": signatureHeader }),
    },
    body,
  });
}
