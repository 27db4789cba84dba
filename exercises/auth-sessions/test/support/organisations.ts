// Two organisations for the authorization tests: Alice (admin) and Bob (member) in one, Carol
// (admin) in the other. Sign-up makes every user the admin of an organisation of their own;
// Bob is moved into Alice's in SQL, through the columns the README's interface names.
import type { FileServices, SeededRandom } from "@backend-sandbox/testkit";
import { loggedIn, signUp, type Account } from "./accounts";
import type { Browser } from "./browser";

export interface Member extends Account {
  organisationId: string;
  browser: Browser;
}

export interface Organisations {
  alice: Member;
  bob: Member;
  carol: Member;
}

export async function twoOrganisations(
  url: string,
  services: FileServices,
  random: SeededRandom,
): Promise<Organisations> {
  const [alice, bob, carol] = [
    await signUp(url, random),
    await signUp(url, random),
    await signUp(url, random),
  ];
  const organisationOf = async (id: string): Promise<string> =>
    (await services.pg.query(`SELECT organisation_id FROM users WHERE id = $1`, [id])).rows[0]
      .organisation_id;
  const a = await organisationOf(alice.id);
  await services.pg.query(`UPDATE users SET organisation_id = $1, role = 'member' WHERE id = $2`, [
    a,
    bob.id,
  ]);
  const member = async (account: Account, organisationId: string): Promise<Member> => ({
    ...account,
    organisationId,
    browser: await loggedIn(url, account),
  });
  return {
    alice: await member(alice, a),
    bob: await member(bob, a),
    carol: await member(carol, await organisationOf(carol.id)),
  };
}
