import {
  because,
  seededRandom,
  useLearner,
  useServices,
  usesInSource,
} from "@backend-sandbox/testkit";
import { bearer } from "#support/bearer";
import { consumers } from "#support/consumers";
import { base64url, jwt, signSegments } from "#support/jwt";
import { jwtSetup } from "#support/jwt-setup";
import { notRefused } from "#support/not-refused";
import { ordersConsumer } from "#support/orders-consumer";
import { send } from "#support/send";
import { servePrivateRoutes } from "#support/serve-private-routes";
import { startUpstream, type Upstream } from "#support/upstream";

// Every token here is refused by a correct gateway: 401, Bearer error="invalid_token", and the
// upstream never called. Each one differs from a valid token in one way only.
const services = useServices();
// The gateway's process counts its calls of timingSafeEqual from before its code loads (R3.11).
const learner = useLearner({ watch: [["node:crypto", "timingSafeEqual"]] });
const comparisons = () => learner.calls("node:crypto", "timingSafeEqual");
const store = consumers(learner, services);
const random = seededRandom();
const seed = `(seed ${random.seed})`;
const { secret, clock } = jwtSetup(random);
const json = (value: unknown) => base64url(JSON.stringify(value));
let orders: Upstream;
let url: string;
let id: string;
let other: string;

/** Claims valid for the next hour, for consumer `sub`. */
const claims = (sub = id) => ({ sub, exp: clock.now() / 1000 + 3600 });
const consumer = (name: string) => ordersConsumer(store, random, name);

/** `wrong` (from notRefused) is empty and no request reached the upstream; `what` qualifies the tokens. */
function expectRefused(wrong: string[], what = "") {
  because(
    `expected 401 + Bearer error="invalid_token"${what} and nothing forwarded; not so for: ${wrong.join("; ")} ${seed}`,
    () => {
      expect(wrong).toEqual([]);
      expect(orders.received).toHaveLength(0);
    },
  );
}

beforeAll(async () => {
  await store.migrate();
  orders = await startUpstream("orders");
  [id, other] = [await consumer("app"), await consumer("other")];
  ({ url } = await servePrivateRoutes(learner, services, [orders], {
    jwt: { secret },
    now: clock.now,
  }));
});
beforeEach(() => {
  orders.received.length = 0;
});

describe("auth: JWT bearer tokens that must be refused", () => {
  it("[R3.7, R3.10] refuses every token whose alg is not HS256 (RFC 8725): none, HS384, HS512, RS256, no alg", async () => {
    const [none, payload] = [json({ alg: "none" }), json(claims())];
    const wrong = await notRefused(url, "/orders/1", {
      "alg none, no signature": `${none}.${payload}.`,
      "alg NONE, no signature": `${json({ alg: "NONE", typ: "JWT" })}.${payload}.`,
      "alg none, with an HMAC-SHA-256 signature": signSegments(secret, none, payload),
      "alg HS384, signed with the secret": jwt(secret, claims(), { alg: "HS384" }, "sha384"),
      "alg HS512, signed with the secret": jwt(secret, claims(), { alg: "HS512" }, "sha512"),
      "alg RS256, with an HMAC-SHA-256 signature": jwt(secret, claims(), { alg: "RS256" }),
      "no alg, with an HMAC-SHA-256 signature": jwt(secret, claims(), { typ: "JWT" }),
    });

    expectRefused(wrong);
  });

  it("[R3.7, R3.11] refuses forged tokens: another secret, a changed payload or header, a signature cut or lengthened", async () => {
    const [header64, payload64, signature64 = ""] = jwt(secret, claims()).split(".");
    const signature = Buffer.from(signature64, "base64url");
    const wrong = await notRefused(url, "/orders/1", {
      "signed with another secret": jwt(`${secret}x`, claims()),
      "sub changed to another consumer": `${header64}.${json(claims(other))}.${signature64}`,
      "exp moved a year later": `${header64}.${json({ ...claims(), exp: claims().exp + 365 * 86_400 })}.${signature64}`,
      "header changed": `${json({ alg: "HS256", typ: "JWT", kid: random.token(4) })}.${payload64}.${signature64}`,
      "signature cut to 16 bytes": `${header64}.${payload64}.${base64url(signature.subarray(0, 16))}`,
      "signature empty": `${header64}.${payload64}.`,
      "signature with a byte more": `${header64}.${payload64}.${base64url(Buffer.concat([signature, Buffer.from([0])]))}`,
      "signature as hex": `${header64}.${payload64}.${signature.toString("hex")}`,
    });

    expectRefused(wrong);
  });

  it("[R3.7, R3.9, R3.10] refuses malformed tokens, each signed over its segments exactly as sent", async () => {
    const header = json({ alg: "HS256", typ: "JWT" });
    const payload = json(claims());
    const valid = signSegments(secret, header, payload);
    const critical = json({ alg: "HS256", crit: ["b64"], b64: false }); // RFC 7797, unsupported here
    // "ÿ" is C3 BF in UTF-8: six of them hold a whole 3-byte group in any alignment, and both
    // C3 BF C3 and BF C3 BF encode to base64 with a "/" in it.
    const standardBase64 = Buffer.from(JSON.stringify({ ...claims(), note: "ÿÿÿÿÿÿ" }))
      .toString("base64")
      .replace(/=+$/, "");
    const starred = `${payload.slice(0, 8)}*${payload.slice(8)}`;
    const wrong = await notRefused(url, "/orders/1", {
      "nothing after Bearer": "",
      "two segments": `${header}.${payload}`,
      "four segments": `${valid}.${valid.split(".")[2]}`,
      "padding = on the signature": `${valid}=`,
      "padding = on the payload": signSegments(secret, header, `${payload}==`),
      "a * inside the payload": signSegments(secret, header, starred),
      "standard base64 (/) in the payload": signSegments(secret, header, standardBase64),
      "a header that is not JSON": signSegments(secret, base64url("{alg:HS256}"), payload),
      "a payload that is not JSON": signSegments(secret, header, base64url(`sub=${id}`)),
      "a payload that is a JSON array": signSegments(secret, header, json([claims()])),
      "a payload that is JSON null": signSegments(secret, header, json(null)),
      "a crit extension (RFC 7515 §4.1.11)": signSegments(secret, critical, payload),
      "one segment": header,
      "a trailing dot": `${valid}.`,
      "a leading dot": `.${valid}`,
      "five segments": `${valid}.${header}.${payload}`,
      "an empty payload segment": signSegments(secret, header, ""),
      "an empty header segment": signSegments(secret, "", payload),
      "the token cut in its payload": valid.slice(
        0,
        header.length + 1 + Math.floor(payload.length / 2),
      ),
      "a space inside the signature": `${valid.slice(0, -4)} ${valid.slice(-4)}`,
      "a non-ASCII character in the payload": signSegments(
        secret,
        header,
        `${payload.slice(0, 6)}\u00e9${payload.slice(6)}`,
      ),
      "8 KiB of base64url junk": random.token(8192).replace(/[^A-Za-z0-9_-]/g, "a"),
      "8 KiB of padding in a signed payload": signSegments(
        secret,
        header,
        json({ ...claims(), pad: "p".repeat(6000) }) + "=",
      ),
    });

    expect(standardBase64).toMatch(/\//); // the case is what its name says
    expectRefused(wrong);
  });

  it("[R3.7, R3.14] refuses a sub that is a number, even one equal to a consumer's id", async () => {
    const wrong = await notRefused(url, "/orders/1", {
      "sub as a number": jwt(secret, { ...claims(), sub: Number(id) }),
      "sub as an array": jwt(secret, { ...claims(), sub: [id] }),
      "sub as an object": jwt(secret, { ...claims(), sub: { id } }),
    });

    expectRefused(wrong, ` for a sub that is not a string (consumer ${id})`);
  });

  it("[R3.11] compares signatures with node:crypto's timingSafeEqual, forged and valid alike", async () => {
    const valid = jwt(secret, claims());
    const [header64, payload64, signature64 = ""] = valid.split(".");
    const forged = Buffer.from(signature64, "base64url");
    forged.writeUInt8(forged.readUInt8(forged.length - 1) ^ 1, forged.length - 1); // same length, last byte differs: only a full comparison finds it
    const forgedToken = `${header64}.${payload64}.${base64url(forged)}`;

    const before = await comparisons();
    const refused = await notRefused(url, "/orders/1", {
      "a signature with its last bit flipped": forgedToken,
    });
    const forgedCalls = (await comparisons()) - before;
    const accepted = (await send(url, "/orders/1", { headers: bearer(valid) })).status;
    const validCalls = (await comparisons()) - before - forgedCalls;
    // Comparisons that stop at the first difference are found in the source (read as text).
    const leaky = ["equals", "compare"].flatMap((name) =>
      usesInSource("node:buffer", name).map((at) => `${name} at ${at}`),
    );

    because(
      `expected the forged token refused (${refused.join("; ") || "it was"}) and the valid one accepted (saw ${accepted}), each signature compared with crypto.timingSafeEqual (calls: ${forgedCalls} for the forged, ${validCalls} for the valid), not with ===, Buffer.equals or a loop that stops at the first difference (Buffer ${leaky.join(", ") || "equals or compare: none"}) ${seed}`,
      () => {
        expect(refused).toEqual([]);
        expect(accepted).toBe(200);
        expect(forgedCalls).toBeGreaterThan(0);
        expect(validCalls).toBeGreaterThan(0);
        expect(leaky).toEqual([]);
      },
    );
  });
});
