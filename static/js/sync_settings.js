// Sync Settings. Each item drop-down is a native <select> (keyboard-operable as browsers make it)
// with a separate "Narrow the list" box that only hides options: it never changes the chosen
// item, so nothing but the person picking in the drop-down decides where revenue is posted.
// Escape clears the box; Enter in it never submits the form. Delegated, so rows swapped in by
// htmx (Refresh, Create item) work too.
function narrow(box) {
  const select = document.getElementById(box.dataset.filterFor);
  if (!select) return;
  const text = box.value.trim().toLowerCase();
  let shown = 0;
  for (const option of select.options) {
    const match = !text || option.text.toLowerCase().includes(text);
    // "none" and the current choice stay listed so the drop-down always shows its own value.
    option.hidden = !(match || !option.value || option.selected);
    if (match && option.value) shown += 1;
  }
  const count = document.getElementById(box.getAttribute("aria-describedby"));
  if (count) count.textContent = text ? `${shown} item${shown === 1 ? "" : "s"} match` : "";
}

document.addEventListener("input", (event) => {
  if (event.target.matches && event.target.matches("input.item-filter")) narrow(event.target);
});

document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (!box.matches || !box.matches("input.item-filter")) return;
  if (event.key === "Enter") {
    event.preventDefault();          // a filter is not a submit: move on to the drop-down instead
    const select = document.getElementById(box.dataset.filterFor);
    if (select) select.focus();
  } else if (event.key === "Escape") {
    event.preventDefault();
    box.value = "";
    narrow(box);
  }
});

// Save: say it is working and refuse a second click until the page answers.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id !== "sync-settings-form") return;
  const button = event.submitter;
  if (!button || button.id !== "save-sync-settings") return;
  if (form.dataset.busy) {
    event.preventDefault();
    return;
  }
  form.dataset.busy = "1";
  button.setAttribute("aria-disabled", "true");
  button.classList.add("is-busy");
  button.textContent = button.dataset.busyText || "Saving…";
});

// A refused Save comes back with its reasons next to the button: bring the person there.
document.addEventListener("DOMContentLoaded", () => {
  const result = document.getElementById("save-result");
  if (result) {
    result.scrollIntoView({ block: "center" });
    result.focus({ preventScroll: true });
  }
});
