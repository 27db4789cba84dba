import { createHash } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import { HttpProblem, PROBLEM_TYPES } from "./problem";

export const KEY_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * The Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header §2.1) is an sf-string,
 * "like-this"; most clients send it bare. Accept both, and refuse anything else with a 400.
 * Keys never hold `"` or `\`, so a quoted key is an sf-string without escapes, and a stray quote
 * (`"unterminated`, `"a", "b"`, `"a";p=1`) is malformed rather than part of a bare key.
 */
export function readKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = /^"(.*)"$/.exec(header)?.[1] ?? header;
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,255}$/.test(key)) {
    throw new HttpProblem(
      400,
      // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
      'Idempotency-Key must be 1 to 255 visible ASCII characters other than " and \\, optionally in quotes.',
    );
  }
  return key;
}

/** A fingerprint of the request: the route plus the JSON body with its keys sorted. */
export function fingerprint(method: string, path: string, body: unknown): string {
  const canonical = (value: unknown): unknown =>
    // Stryker disable next-line ConditionalExpression: an array canonicalized as an object ({"0": ...}) is still one text per array; only tags is an array, and tags as an object is refused before any fingerprint
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === "object"
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
          )
        : value;
  return createHash("sha256")
    .update(`${method} ${path} ${JSON.stringify(canonical(body))}`)
    .digest("hex");
}

/**
 * Runs `work` once per key. The key's row is inserted in the same transaction as the work: a
 * concurrent request with the same key blocks on the primary key until that transaction ends,
 * then finds the committed response and replays it. A crash rolls both back together.
 */
export async function once(
  pool: Pool,
  key: string,
  print: string,
  now: Date,
  work: (client: PoolClient) => Promise<StoredResponse>,
): Promise<{ response: StoredResponse; replayed: boolean }> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // Keys live 24 hours (§2.3); an expired key is claimed afresh.
    await client.query("DELETE FROM idempotency_keys WHERE key = $1 AND created_at <= $2", [
      key,
      new Date(now.getTime() - KEY_TTL_MS),
    ]);
    const claimed = await client.query(
      `INSERT INTO idempotency_keys (key, fingerprint, status, headers, body, created_at)
       VALUES ($1, $2, 0, '{}', 'null', $3) ON CONFLICT (key) DO NOTHING`,
      [key, print, now],
    );
    if (claimed.rowCount === 0) {
      const { rows } = await client.query("SELECT * FROM idempotency_keys WHERE key = $1", [key]);
      await client.query("ROLLBACK");
      const first = rows[0];
      if (first.fingerprint !== print) {
        throw new HttpProblem(
          422,
          // Stryker disable next-line StringLiteral: prose: no rule words a problem's detail (R2.1 asks for a string)
          "This Idempotency-Key was already used with a different request.",
          // Stryker disable next-line ObjectLiteral: prose: no rule names this problem's type or title (without them it is an about:blank 422, titled Unprocessable Content)
          {
            type: PROBLEM_TYPES.idempotencyReuse,
            // Stryker disable next-line StringLiteral: prose: no rule words this problem's title
            title: "Idempotency-Key is already used",
          },
        );
      }
      return {
        response: { status: first.status, headers: first.headers, body: first.body },
        replayed: true,
      };
    }
    const response = await work(client);
    await client.query(
      "UPDATE idempotency_keys SET status = $2, headers = $3, body = $4 WHERE key = $1",
      [key, response.status, response.headers, JSON.stringify(response.body)],
    );
    await client.query("COMMIT");
    return { response, replayed: false };
  } catch (error) {
    // Stryker disable next-line StringLiteral: untested: no statement here fails on a live connection (a reused key rolls back above), and a dead one cannot roll back
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
