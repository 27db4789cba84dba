/** The fields a client writes (the body of a PUT), from a full product. */
export function fieldsOf({
  name,
  category,
  priceCents,
}: {
  name: string;
  category: string;
  priceCents: number;
}) {
  return { name, category, priceCents };
}
