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
