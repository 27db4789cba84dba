// Places an order with the service.
import { request, type HttpReply } from "@backend-sandbox/testkit";

/** POSTs `order` as JSON to `${baseUrl}/orders`. */
export function postOrder(baseUrl: string, order: unknown): Promise<HttpReply> {
  return request(`${baseUrl}/orders`, { method: "POST", json: order });
}
