// Annotated samples (inert, never run): a ranking that favours one named entity, and near misses.
const PREFERRED = "ACME";
const PARTNERS = new Set(["ACME", "GLOBEX"]);
type Row = { ticker: string; brand: string; score: number; pages: number };

export function rank(rows: Row[], favourite: string): Row[] {
  for (const row of rows) {
    let score = row.score;
    if (row.ticker === PREFERRED) {
      // ruleid: js-ranking-favours-entity
      score += 0.18;
    }
    if (PARTNERS.has(row.brand.toLowerCase())) {
      // ruleid: js-ranking-favours-entity
      score *= 1.2;
    }
    if (row.ticker === favourite) {
      // ok: js-ranking-favours-entity
      score += 0.1;
    }
    if (row.pages > 10) {
      // ok: js-ranking-favours-entity
      score += 0.05;
    }
    row.score = score;
  }
  // ruleid: js-ranking-favours-entity
  return rows.map((r) => ({ ...r, score: r.score + (r.brand === "Initech" ? 0.3 : 0) }));
}
