// Small behaviours that need script; every page works without it.
"use strict";

// A submit button disables itself while its form is in flight, so a double
// click cannot send twice (the server's idempotency token is the real guard).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.noLock !== undefined) return;
  const button = event.submitter;
  if (button && button.dataset.once !== undefined) {
    if (button.dataset.sent) { event.preventDefault(); return; }
    button.dataset.sent = "1";
    // Disable after the browser has read the button's name and value.
    setTimeout(() => { button.disabled = true; button.setAttribute("aria-busy", "true"); }, 0);
  }
});

// Confirmation prompts without inline script: data-confirm="question".
document.addEventListener("click", (event) => {
  const trigger = event.target.closest("[data-confirm]");
  if (trigger && !trigger.hasAttribute("hx-confirm") && !window.confirm(trigger.dataset.confirm)) {
    event.preventDefault();
  }
});

// "Select all" checkboxes for bulk actions: data-select-all="name".
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
  document.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`)
    .forEach((other) => { other.checked = box.checked; });
});

// Live tables poll only while someone can see them (data-poll): a hidden tab
// spends none of the team's upstream budget.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (document.hidden && event.detail.elt.hasAttribute("data-poll")) event.preventDefault();
});

// Contact suggestions under the recipients box: picking one puts its number in
// place of the name being typed, and the live check runs again.
document.addEventListener("click", (event) => {
  const pick = event.target.closest("[data-contact-number]");
  if (!pick) return;
  const box = document.getElementById("id_recipients");
  if (!box) return;
  const text = box.value;
  const start = Math.max(...["\n", "\r", ",", ";", "\t"].map((sep) => text.lastIndexOf(sep))) + 1;
  box.value = text.slice(0, start) + (start > 0 && text[start - 1] !== "\n" ? " " : "")
    + pick.dataset.contactNumber + "\n";
  box.focus();
  box.dispatchEvent(new Event("input", { bubbles: true }));
});
