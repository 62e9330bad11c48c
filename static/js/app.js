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

// One loading indicator for every swap a person asked for (a click, a change,
// a form): the bar at the top of the page (#loading). Polls that run by
// themselves (hx-trigger "every …", data-poll) stay quiet.
const quiet = (elt) => elt.hasAttribute("data-poll") || /\bevery\b/.test(elt.getAttribute("hx-trigger") || "");
const showLoading = (busy) => {
  document.documentElement.classList.toggle("loading", busy);
  const indicator = document.getElementById("loading");
  if (indicator) indicator.hidden = !busy;
};
// Counted by request, not by element: a swap may remove the element that asked,
// and events on a removed element never reach the document.
const inFlight = new Set();
document.addEventListener("htmx:beforeSend", (event) => {
  if (quiet(event.detail.elt)) return;
  const xhr = event.detail.xhr;
  inFlight.add(xhr);
  showLoading(true);
  xhr.addEventListener("loadend", () => {
    inFlight.delete(xhr);
    if (inFlight.size === 0) showLoading(false);
  });
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

// Typing into a field marked data-picks="name=value" chooses that radio button:
// a date typed for a later send means "Schedule", so it is never sent now.
document.addEventListener("input", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || !field.dataset.picks || !field.value) return;
  const [name, value] = field.dataset.picks.split("=");
  const radio = field.form && [...field.form.elements].find(
    (element) => element.type === "radio" && element.name === name && element.value === value,
  );
  if (radio && !radio.checked) {
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
