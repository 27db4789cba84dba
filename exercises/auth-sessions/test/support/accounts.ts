// Accounts the tests make: random addresses and passwords from the file's seed.
import { because, type SeededRandom } from "@backend-sandbox/testkit";
import { Browser } from "./browser";

export const newEmail = (random: SeededRandom) => `user-${random.token(10)}@example.test`;
export const newPassword = (random: SeededRandom) => `pw ${random.token(12)} ${random.token(6)}`;

export interface Account {
  email: string;
  password: string;
  id: string;
}

/** Signs an account up through POST /signup and checks that it was made. */
export async function signUp(url: string, random: SeededRandom): Promise<Account> {
  const email = newEmail(random);
  const password = newPassword(random);
  const reply = await new Browser(url).post("/signup", { email, password });
  because(
    `expected POST /signup of ${email} to answer 201 with its id; got ${reply.status} ${reply.text} (seed ${random.seed})`,
    () => expect(reply.status).toBe(201),
  );
  return { email, password, id: reply.body.id };
}

/** A browser logged in as `account` (checked). */
export async function loggedIn(url: string, account: Account, address?: string): Promise<Browser> {
  const browser = new Browser(url, address);
  const reply = await browser.login(account.email, account.password);
  because(`expected ${account.email} to log in with 200; got ${reply.status} ${reply.text}`, () =>
    expect(reply.status).toBe(200),
  );
  return browser;
}
