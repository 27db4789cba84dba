import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { loggedIn, signUp } from "#support/accounts";
import { startAuthApp } from "#support/auth-app";

const services = useServices();
const learner = useLearner();
const random = seededRandom();

describe("sessions-management", () => {
  it("[R7.1, R7.2] lists one's sessions and ends another one", async () => {
    const app = await startAuthApp(services, { learner });
    const account = await signUp(app.url, random);
    const laptop = await loggedIn(app.url, account);
    app.clock.advance(60_000);
    const phone = await loggedIn(app.url, account);
    const list = await phone.get("/sessions");
    because(
      `expected GET /sessions to list 2 sessions, the phone's marked current; got ${list.status} ${list.text}`,
      () => {
        expect(list.status).toBe(200);
        expect(list.body.sessions.map((s: { current: boolean }) => s.current)).toEqual([
          false,
          true,
        ]);
      },
    );
    const laptopId = list.body.sessions[0].id;
    expect((await phone.del(`/sessions/${laptopId}`)).status).toBe(204);
    const me = await laptop.get("/me");
    because(`expected the laptop's session ended (401); got ${me.status}`, () =>
      expect(me.status).toBe(401),
    );
    expect((await phone.get("/me")).status).toBe(200);
  });
});
