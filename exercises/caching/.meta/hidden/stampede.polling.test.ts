import { setTimeout as sleep } from "node:timers/promises";
import { because, eventually, request, startFaultProxy, within } from "@backend-sandbox/testkit";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

/** How long a connection must stay quiet between two polls (R3.4), and the commands a poll may take. */
const POLL_PAUSE_MS = 10;
const COMMANDS_A_POLL = 4;

describe("stampede: polling", () => {
  it("[R3.4] polls the entry while another holder's lock is live, without a busy loop", async () => {
    const { random, product } = await catalog.seededProduct();
    // Between the app and Redis: counts the app's commands, and the times it spoke after a quiet spell.
    const proxy = await startFaultProxy(catalog.services.redisUrl);
    const [app] = await catalog.instances(1, { redisUrl: proxy.url, lockTtlMs: 5000 });
    const lock = `lock:product:${product.id}`;
    // Held until the test lets it go: however slow the machine, the read waits the whole second measured.
    await catalog.services.redis.set(lock, `holder-${random.token(8)}`, "PX", 60_000);
    const before = proxy.commands();
    const reading = request(`${app!.url}/products/${product.id}`);
    // Four commands: its read of the entry, its try at the lock, and at least one poll after.
    await eventually("the read to be waiting for the lock", () => proxy.commands() - before >= 4, {
      timeoutMs: 10_000,
      intervalMs: 5,
    });
    const start = {
      at: performance.now(),
      commands: proxy.commands(),
      polls: proxy.sendsAfterIdle(POLL_PAUSE_MS),
    };
    await sleep(1000);
    const seconds = (performance.now() - start.at) / 1000;
    const sent = proxy.commands() - start.commands;
    const polls = proxy.sendsAfterIdle(POLL_PAUSE_MS) - start.polls;
    await catalog.services.redis.del(lock); // its holder died
    const answer = await within(
      5000,
      "the read to be answered once the other holder's lock was gone",
      reading,
    );
    because(
      `expected the product once the other holder's lock was gone, got ${answer.status} (seed ${random.seed})`,
      () => expect(answer.body).toEqual(product),
    );
    because(
      `expected at most 400 Redis commands a second while waiting for another holder's lock, saw ${sent} in ${seconds.toFixed(2)} s: a busy loop? (seed ${random.seed})`,
      () => expect(sent).toBeLessThanOrEqual(400 * seconds),
    );
    because(
      `expected the app's connection to Redis to go quiet for ${POLL_PAUSE_MS} ms at least once every ${COMMANDS_A_POLL} commands while waiting (a pause between polls), saw ${sent} commands and ${polls} such pauses in ${seconds.toFixed(2)} s: a busy loop? (seed ${random.seed})`,
      () => expect(sent).toBeLessThanOrEqual(COMMANDS_A_POLL * (polls + 1)),
    );
  });
});
