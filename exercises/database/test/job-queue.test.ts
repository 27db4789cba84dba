import { useServices } from "@backend-sandbox/testkit";
import { enqueue, processNext, type Job } from "#src/job-queue";
import { migrate } from "#src/migrations";

const services = useServices();

beforeAll(() => migrate(services.pg));

describe("job-queue", () => {
  it("runs each due job once, then reports an empty queue", async () => {
    const start = new Date();
    const ids = [await enqueue(services.pg, { type: "email", payload: { to: "ann" }, runAt: start }),
      await enqueue(services.pg, { type: "email", payload: { to: "bob" }, runAt: start })];
    const handled: Job[] = [];
    const options = { workerId: "w1", now: () => start };
    while (await processNext(services.pg, async (job) => void handled.push(job), options));
    expect(handled.map((job) => job.id)).toEqual(ids);
    expect(handled[1]!.payload).toEqual({ to: "bob" });
    const { rows } = await services.pg.query("SELECT status FROM jobs ORDER BY id");
    expect(rows.map((row) => row.status)).toEqual(["done", "done"]);
  });
});
