// The learner's payment client, made in the learner's process: its createCharge is async there too.
import type { FileLearner } from "@backend-sandbox/testkit";
import type * as PaymentClientModule from "#src/payment-client";

/** `createPaymentClient(options)` in `learner`'s process; `await client.createCharge(request)`. */
export function createPaymentClient(
  learner: Pick<FileLearner, "module">,
  options: PaymentClientModule.PaymentClientOptions,
) {
  return learner.module<typeof PaymentClientModule>("payment-client").createPaymentClient(options);
}
