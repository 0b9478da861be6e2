// Sync Settings: a filter box next to each item drop-down when the company has many items.
// Typing hides the options that do not contain the text (the chosen one and "none" stay), and
// selects the only match when exactly one is left. Delegated, so rows swapped in by htmx work too.
document.addEventListener("input", (event) => {
  const box = event.target;
  if (!box.matches || !box.matches("input.item-filter")) return;
  const select = document.getElementById(box.dataset.filterFor);
  if (!select) return;
  const text = box.value.trim().toLowerCase();
  const visible = [];
  for (const option of select.options) {
    const keep = !option.value || option.selected || !text || option.text.toLowerCase().includes(text);
    option.hidden = !keep;
    if (keep && option.value && text && option.text.toLowerCase().includes(text)) visible.push(option);
  }
  if (visible.length === 1) {
    select.value = visible[0].value;
  }
});
