// Draws every <div data-chart="URL of a Vega-Lite spec"> with vega-embed, within the pages'
// Content-Security-Policy: expressions run in vega's interpreter (ast: true, no eval), the embed
// and tooltip styles come from /static/vendor/vega-embed.css instead of injected <style> elements.
// The menu offers the chart as SVG and PNG; the data table beside each chart needs no script.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("div[data-chart]")) {
    const words = box.dataset;
    vegaEmbed(box, words.chart, {
      ast: true,
      defaultStyle: false,
      forceActionsMenu: true,
      renderer: "svg",
      tooltip: { disableDefaultStyle: true },
      actions: { export: { svg: true, png: true }, source: false, compiled: false, editor: false },
      downloadFileName: words.file || "chart",
      scaleFactor: { png: 2 },
      loader: { target: words.target || "_self" },
      i18n: {
        CLICK_TO_VIEW_ACTIONS: words.menu,
        PNG_ACTION: words.png,
        SVG_ACTION: words.svg,
      },
    })
      .then(() => {
        const summary = box.querySelector("details > summary");
        if (summary) summary.setAttribute("aria-label", words.menu);
        box.dataset.drawn = "yes";
      })
      .catch(() => {
        box.textContent = words.failed;
        box.dataset.drawn = "failed";
      });
  }
});
