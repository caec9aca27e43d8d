// Inline validation of the data-entry form: asks the server (the importer's own rules) as the
// editor leaves a field, and writes the messages beside it. The form works the same without script.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-validate]");
  if (!form) return;
  const check = async () => {
    const response = await fetch(form.dataset.validate, { method: "POST", body: new FormData(form) });
    if (!response.ok) return;
    const problems = await response.json();
    for (const name of ["value", "status", "quality"]) {
      const box = document.getElementById("e-" + name);
      const input = document.getElementById("f-" + name);
      const messages = problems[name] || [];
      if (box) box.textContent = messages.join(" ");
      if (input) {
        if (messages.length) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    }
  };
  for (const input of form.querySelectorAll("input, select")) input.addEventListener("change", check);
});

// The wheel: a mouse shows each segment's <title> on hover and follows its link on click; a finger
// cannot hover, so a first tap writes the segment's description (and its link) under the wheel and
// only a second tap on the same segment opens the KPI's page.
document.addEventListener("DOMContentLoaded", () => {
  const figure = document.querySelector("figure.wheel");
  if (!figure) return;
  const tip = figure.querySelector(".wheel-tip");
  let touch = false;
  let shown = null;
  figure.addEventListener("pointerdown", (event) => { touch = event.pointerType !== "mouse"; });
  figure.addEventListener("click", (event) => {
    const segment = event.target.closest("[aria-label]");
    if (!segment || !tip) return;
    const link = segment.closest("a");
    if (!touch && link) return;
    if (link && shown === segment) return;
    event.preventDefault();
    shown = segment;
    tip.textContent = segment.getAttribute("aria-label");
    if (link) {
      const open = document.createElement("a");
      open.href = link.getAttribute("href") || link.getAttribute("xlink:href");
      open.textContent = figure.dataset.open;
      tip.append(" ", open);
    }
    tip.hidden = false;
  });
});
