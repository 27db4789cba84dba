import {
  redisClient,
  seededRandom,
  startRedis,
  useLearner,
  useServices,
  within,
} from "@backend-sandbox/testkit";
import { consumers } from "#support/consumers";
import { expectProblem } from "#support/problem";
import { send } from "#support/send";
import { servePrivateRoutes } from "#support/serve-private-routes";
import { startUpstream } from "#support/upstream";

const services = useServices();
const learner = useLearner();
const { migrate, create: createConsumer } = consumers(learner, services);
const random = seededRandom();
const seed = `(seed ${random.seed})`;

beforeAll(async () => {
  await migrate();
});

describe("rate-limits: the gateway's own errors", () => {
  it("[R1.6, R4.2, R4.5] answers 429 and a frozen Redis's 503 as problem documents with a title, a detail and the status", async () => {
    const orders = await startUpstream("orders");
    const apiKey = `sk_${random.token(32)}`;
    await createConsumer({
      name: `c-${random.token(4)}`,
      apiKey,
      routes: ["orders"],
      rateLimit: 1,
    });
    const headers = { "x-api-key": apiKey };
    const limited = await servePrivateRoutes(learner, services, [orders]);
    const redisServer = await startRedis();
    const frozen = await servePrivateRoutes(learner, services, [orders], {
      redis: redisClient(redisServer.url, { maxRetriesPerRequest: 1 }),
    });

    await send(limited.url, "/orders", { headers });
    const over = await send(limited.url, "/orders", { headers });
    await redisServer.pause();
    const unavailable = await within(
      2500,
      "an answer while Redis is frozen",
      send(frozen.url, "/orders", { headers, timeoutMs: 5000 }),
    );
    await redisServer.resume();

    expectProblem(over, 429, `a second request of a consumer limited to 1 ${seed}`);
    expectProblem(unavailable, 503, `a request while Redis is frozen ${seed}`);
  });
});
