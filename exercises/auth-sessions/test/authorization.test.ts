import { because, seededRandom, useLearner, useServices } from "@backend-sandbox/testkit";
import { startAuthApp } from "#support/auth-app";
import { twoOrganisations } from "#support/organisations";

const services = useServices();
const learner = useLearner();
const random = seededRandom();

describe("authorization", () => {
  it("[R6.1, R6.2, R6.3] shares a note within its organisation and answers 404 outside it", async () => {
    const app = await startAuthApp(services, { learner });
    const { alice, bob, carol } = await twoOrganisations(app.url, services, random);
    const created = await alice.browser.post("/notes", { body: "quarterly plan" });
    because(
      `expected POST /notes answered 201 with the note; got ${created.status} ${created.text}`,
      () => {
        expect(created.status).toBe(201);
        expect(created.body).toEqual(
          expect.objectContaining({
            body: "quarterly plan",
            authorId: alice.id,
            organisationId: alice.organisationId,
          }),
        );
      },
    );
    const byBob = await bob.browser.get(`/notes/${created.body.id}`);
    const byCarol = await carol.browser.get(`/notes/${created.body.id}`);
    because(
      `expected Bob (same organisation) to read it (200) and Carol (another) to get 404 not_found; got ${byBob.status}, ${byCarol.status} ${byCarol.text}`,
      () => {
        expect(byBob.status).toBe(200);
        expect(byCarol.status).toBe(404);
        expect(byCarol.body).toEqual({ error: "not_found" });
      },
    );
  });
});
