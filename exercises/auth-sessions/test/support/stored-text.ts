// Everything the app keeps, as text: every row of every table of the file's database and every
// Redis key with its value. Tests search it for secrets that must never be stored in the clear.
import type { FileServices } from "@backend-sandbox/testkit";

export async function storedText(services: FileServices): Promise<string> {
  const parts: string[] = [];
  const { rows: tables } = await services.pg.query(
    `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public'`,
  );
  for (const { name } of tables) {
    const { rows } = await services.pg.query(`SELECT t::text AS row FROM ${name} t`);
    parts.push(...rows.map((r) => `${name}: ${r.row}`));
  }
  for (const key of await services.redis.keys("*")) {
    const type = await services.redis.type(key);
    const value =
      type === "hash"
        ? await services.redis.hgetall(key)
        : type === "set"
          ? await services.redis.smembers(key)
          : type === "string"
            ? await services.redis.get(key)
            : type === "list"
              ? await services.redis.lrange(key, 0, -1)
              : type === "zset"
                ? await services.redis.zrange(key, "0", "-1")
                : type;
    parts.push(`${key}: ${JSON.stringify(value)}`);
  }
  return parts.join("\n");
}
