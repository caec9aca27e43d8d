// Filters the KPI list as the editor types or picks a dimension. Without script the same filter
// runs on the server when the form is sent (GET ?q=&dimension=); this only saves the round trip.
document.addEventListener("DOMContentLoaded", () => {
  const search = document.getElementById("q");
  const dimension = document.getElementById("dimension");
  const table = document.getElementById("kpis");
  const count = document.getElementById("kpi-count");
  if (!search || !dimension || !table) return;
  const rows = Array.from(table.querySelectorAll("tbody tr"));
  const filter = () => {
    const words = search.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const text = row.dataset.words || "";
      const visible = (!dimension.value || row.dataset.dimension === dimension.value)
        && words.every((word) => text.includes(word));
      row.hidden = !visible;
      if (visible) shown += 1;
    }
    if (count && count.dataset.template) count.textContent = count.dataset.template.replace("{n}", String(shown));
  };
  search.addEventListener("input", filter);
  dimension.addEventListener("change", filter);
});
