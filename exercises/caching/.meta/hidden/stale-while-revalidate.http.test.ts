import { because, request } from "@backend-sandbox/testkit";
import { useCatalog } from "#support/use-catalog";

const catalog = useCatalog();

/** Cache-Control directives, parsed with tolerance for spacing and case (RFC 9111 §5.2). */
function directives(header: string | null): Map<string, string | true> {
  const parsed = new Map<string, string | true>();
  for (const part of (header ?? "").split(",")) {
    const [name, value] = part.trim().split("=") as [string, string | undefined];
    if (name) parsed.set(name.toLowerCase(), value ?? true);
  }
  return parsed;
}

describe("stale-while-revalidate: HTTP caching", () => {
  it("[R5.4] sends Cache-Control: max-age=<softTtl s>, stale-while-revalidate=<ttl - softTtl s>", async () => {
    const { random, product } = await catalog.seededProduct();
    const fresh = random.int(5, 120);
    const stale = random.int(5, 600);
    const [app] = await catalog.instances(1, {
      softTtlMs: fresh * 1000,
      ttlMs: (fresh + stale) * 1000,
    });
    for (const attempt of ["miss", "hit"]) {
      const answer = await request(`${app!.url}/products/${product.id}`);
      const cc = directives(answer.headers.get("cache-control"));
      because(
        `expected Cache-Control with max-age=${fresh} and stale-while-revalidate=${stale} (token form) on a cache ${attempt}, got "${answer.headers.get("cache-control")}" (seed ${random.seed})`,
        () => {
          expect(cc.get("max-age")).toBe(String(fresh));
          expect(cc.get("stale-while-revalidate")).toBe(String(stale));
        },
      );
    }
  });

  it("[R5.5] sends a strong ETag that is the same on every instance and changes when the product changes", async () => {
    const { product } = await catalog.seededProduct();
    const apps = await catalog.instances(2);
    const tags: (string | null)[] = [];
    for (const app of [...apps, ...apps])
      tags.push((await request(`${app.url}/products/${product.id}`)).headers.get("etag"));
    because(`expected one strong ETag ("...", no W/) on every read, saw ${tags.join(" ")}`, () => {
      expect(tags[0]).toMatch(/^"[\x21\x23-\x7e]*"$/);
      expect(new Set(tags).size).toBe(1);
    });
    expect(
      (
        await request(`${apps[0]!.url}/products/${product.id}`, {
          method: "PATCH",
          json: { name: `${product.name} v2` },
        })
      ).status,
    ).toBe(200);
    const after = (await request(`${apps[1]!.url}/products/${product.id}`)).headers.get("etag");
    because(
      `expected a different ETag after the product changed, saw ${after} before and after`,
      () => expect(after).not.toBe(tags[0]),
    );
    // Express' own ETag is weak and tags every body it sends: none may show (R5.5).
    const missing = await request(`${apps[0]!.url}/products/${product.id}-missing`);
    const put = await request(`${apps[0]!.url}/products/${product.id}`, {
      method: "PUT",
      json: { name: product.name, category: product.category, priceCents: product.priceCents },
    });
    for (const [what, answer] of [
      ["a 404", missing],
      ["a PUT's 200", put],
    ] as const)
      because(
        `expected no weak (W/) ETag on ${what}: turn off Express's own ETag; saw ${answer.headers.get("etag")}`,
        () => expect(answer.headers.get("etag") ?? "").not.toMatch(/^W\//),
      );
  });

  it("[R5.6] answers 304 without a body to a matching If-None-Match, and without reaching the origin", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    const url = `${app!.url}/products/${product.id}`;
    const first = await request(url);
    const etag = first.headers.get("etag")!;
    const cacheControl = first.headers.get("cache-control");
    const forms = [etag, `W/${etag}`, `"other-${random.token(5)}", ${etag}`, "*"];
    for (const form of forms) {
      const answer = await request(url, { headers: { "if-none-match": form } });
      because(
        `expected 304 with an empty body, ETag ${etag} and Cache-Control "${cacheControl}" (as on the 200) for If-None-Match: ${form}; got ${answer.status} with ETag ${answer.headers.get("etag")} and Cache-Control "${answer.headers.get("cache-control")}" (seed ${random.seed})`,
        () => {
          expect(answer.status).toBe(304);
          expect(answer.text).toBe("");
          expect(answer.headers.get("etag")).toBe(etag);
          expect(answer.headers.get("cache-control")).toBe(cacheControl);
        },
      );
    }
    const opaque = etag.slice(1, -1);
    for (const form of [`"nope-${random.token(6)}"`, `"W/${opaque}"`, `"x${opaque}"`]) {
      const other = await request(url, { headers: { "if-none-match": form } });
      because(
        `expected 200 with the product for If-None-Match: ${form}, which is not ${etag} (a "W/" inside the quotes is part of the tag), got ${other.status} (seed ${random.seed})`,
        () => expect(other.body).toEqual(product),
      );
    }
    because(
      `expected revalidations to be served from the cache: 1 origin call, saw ${catalog.origin.reads(product.id)}`,
      () => expect(catalog.origin.reads(product.id)).toBe(1),
    );
  });

  it("[R5.6] answers 200 with the new product to an If-None-Match holding the ETag from before a write", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    const url = `${app!.url}/products/${product.id}`;
    const old = (await request(url)).headers.get("etag")!;
    const priceCents = product.priceCents + random.int(1, 99);
    expect((await request(url, { method: "PATCH", json: { priceCents } })).status).toBe(200);
    const answer = await request(url, { headers: { "if-none-match": old } });
    because(
      `expected 200 with the changed product for a stale ETag, got ${answer.status} (seed ${random.seed})`,
      () => {
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ ...product, priceCents, version: 2 });
        expect(answer.headers.get("etag")).not.toBe(old);
      },
    );
  });

  it("[R5.4, R5.1] sends max-age=30, stale-while-revalidate=30 when softTtlMs and ttlMs are left out", async () => {
    const { random, product } = await catalog.seededProduct();
    const [app] = await catalog.instances(1);
    const answer = await request(`${app!.url}/products/${product.id}`);
    const cc = directives(answer.headers.get("cache-control"));
    because(
      `expected the defaults (softTtlMs 30000, ttlMs 60000) to give max-age=30 and stale-while-revalidate=30, got "${answer.headers.get("cache-control")}" (seed ${random.seed})`,
      () => {
        expect(cc.get("max-age")).toBe("30");
        expect(cc.get("stale-while-revalidate")).toBe("30");
      },
    );
  });
});
