/**
 * The class's score distribution as an SVG bar chart, drawn by Vega-Lite and rendered headless by
 * Vega's `toSVG()` (no browser, no canvas, no network: the data is inline). Ten bins of 10% each;
 * the last holds 100%.
 */
export async function scoreHistogramSvg(percentages: readonly number[]): Promise<string> {
  const bins = Array.from({ length: 10 }, (_, i) => ({
    range: i === 9 ? "90–100%" : `${i * 10}–${i * 10 + 9}%`,
    students: 0,
  }));
  for (const p of percentages) bins[Math.min(9, Math.floor(p / 10))]!.students++;
  const vega = await import("vega");
  const vegaLite = await import("vega-lite");
  const { spec } = vegaLite.compile({
    width: 560,
    height: 220,
    data: { values: bins },
    mark: { type: "bar", color: "#1a7f37" },
    encoding: {
      x: { field: "range", type: "ordinal", sort: null, title: "score", axis: { labelAngle: 0 } },
      y: {
        field: "students",
        type: "quantitative",
        title: "students",
        axis: { tickMinStep: 1, format: "d" },
      },
    },
    config: { font: "system-ui, sans-serif" },
  });
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
