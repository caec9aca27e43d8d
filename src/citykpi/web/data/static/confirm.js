// Steps that cannot be undone ask first: a form with data-confirm opens a dialog with its question,
// a button that takes the step (data-confirm-yes) and one that cancels (data-confirm-no). A static
// file, so the pages' Content-Security-Policy needs no inline script.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.confirmed === "yes") return;
      event.preventDefault();
      const dialog = document.createElement("dialog");
      dialog.className = "confirm";
      const question = document.createElement("p");
      question.id = "confirm-question";
      question.textContent = form.dataset.confirm;
      dialog.setAttribute("aria-labelledby", question.id);
      const yes = document.createElement("button");
      yes.type = "button";
      yes.textContent = form.dataset.confirmYes;
      const no = document.createElement("button");
      no.type = "button";
      no.className = "secondary";
      no.textContent = form.dataset.confirmNo;
      yes.addEventListener("click", () => {
        form.dataset.confirmed = "yes";
        dialog.close();
        form.requestSubmit();
      });
      no.addEventListener("click", () => dialog.close());
      dialog.addEventListener("close", () => dialog.remove());
      const buttons = document.createElement("p");
      buttons.className = "buttons";
      buttons.append(yes, no);
      dialog.append(question, buttons);
      document.body.append(dialog);
      dialog.showModal();
      yes.focus();
    });
  }
});
