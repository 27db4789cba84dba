import { useLearner } from "@backend-sandbox/testkit";
import { send } from "#support/send";
import { serveGateway } from "#support/serve-gateway";
import { startUpstream, type Upstream } from "#support/upstream";

const learner = useLearner();

/** A gateway with a public route /catalog over `instances`. */
const catalogOver = (instances: Upstream[]) =>
  serveGateway(learner, {
    routes: [{ name: "catalog", prefix: "/catalog", upstream: "catalog", public: true }],
    upstreams: { catalog: instances.map((i) => i.url) },
  });

describe("load-balancing", () => {
  it("[R6.1] spreads 6 requests over 3 instances, 2 each", async () => {
    const instances = [
      await startUpstream("a"),
      await startUpstream("b"),
      await startUpstream("c"),
    ];
    const { url } = await catalogOver(instances);

    for (let i = 0; i < 6; i += 1) await send(url, "/catalog/items");

    expect(instances.map((i) => i.received.length)).toEqual([2, 2, 2]);
  });

  it("[R6.2] takes an instance whose health check fails out of the rotation", async () => {
    const instances = [await startUpstream("a"), await startUpstream("b")];
    const { url, gateway } = await catalogOver(instances);

    instances[1]!.healthy = false;
    await gateway.checkHealth();
    for (let i = 0; i < 4; i += 1) await send(url, "/catalog/items");

    expect(instances.map((i) => i.received.length)).toEqual([4, 0]);
  });
});
