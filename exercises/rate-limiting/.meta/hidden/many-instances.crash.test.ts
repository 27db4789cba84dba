// Stage many-instances, hidden: an instance that dies between two Redis commands leaves no immortal key.
import { because, manualClock, seededRandom, useServices } from "@backend-sandbox/testkit";
import type { Algorithm, Policy } from "#src/app";
import type { Redis } from "ioredis";
import { get } from "#support/client-requests";
import { badExpiries } from "#support/key-expiries";
import { startApp } from "#support/start-app";
import { windowStart } from "#support/window-start";

const services = useServices();
const random = seededRandom();
const seed = `(seed ${random.seed})`;

/**
 * A client whose connection "dies" after it has sent `commands` commands: every later command
 * fails without reaching Redis, as if the process had crashed there. Whatever the instance had
 * written by then stays in Redis as it was.
 */
async function dyingClient(commands: number): Promise<Redis> {
  const client = services.newRedis();
  // Count from when the connection is ready: its own handshake (HELLO, SELECT) is not the app's.
  if (client.status !== "ready") await new Promise((resolve) => client.once("ready", resolve));
  const send = client.sendCommand.bind(client);
  let sent = 0;
  client.sendCommand = ((command: Parameters<Redis["sendCommand"]>[0], ...rest: unknown[]) => {
    sent += 1;
    if (sent <= commands) return (send as (...args: unknown[]) => unknown)(command, ...rest);
    command.reject(new Error("connection lost (injected by the test)"));
    return command.promise;
  }) as Redis["sendCommand"];
  return client;
}

describe("many-instances: crash between commands", () => {
  beforeEach(() => services.redis.flushdb());

  it.each<Algorithm>(["fixed-window", "sliding-window", "token-bucket"])(
    "[R5.2, R1.6] %s: whichever command an instance dies after, every key it wrote still expires",
    async (algorithm) => {
      const policy: Policy = {
        name: "default",
        algorithm,
        limit: random.int(3, 9),
        windowSeconds: random.int(10, 60),
      };
      const clock = manualClock(windowStart(random, policy.windowSeconds) + 500);
      const key = random.token();
      for (let commands = 1; commands <= 4; commands++) {
        const url = await startApp({ redis: await dyingClient(commands), policy, now: clock.now });
        await get(url, key);
        await get(url, key);
        const bad = await badExpiries(services.redis, 2 * policy.windowSeconds * 1000);
        because(
          `expected no key without an expiry after an instance died after its command #${commands} (${algorithm}); found ${bad.join(", ")}. Write a key and its expiry in one atomic step ${seed}`,
          () => expect(bad).toEqual([]),
        );
        // The healthy instances go on with the same client's budget.
        const healthy = await startApp({ redis: services.newRedis(), policy, now: clock.now });
        await get(healthy, key);
        const afterHealthy = await badExpiries(services.redis, 2 * policy.windowSeconds * 1000);
        because(
          `expected no key without an expiry once a healthy instance counted after the crash (${algorithm}); found ${afterHealthy.join(", ")} ${seed}`,
          () => expect(afterHealthy).toEqual([]),
        );
      }
    },
  );
});
