// Small progressive enhancements; every page also works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".menu-button");
  document.querySelectorAll(".menu.open").forEach((menu) => {
    if (!button || menu !== button.parentElement) {
      menu.classList.remove("open");
      menu.querySelector(".menu-button").setAttribute("aria-expanded", "false");
    }
  });
  if (button) {
    const menu = button.parentElement;
    const open = menu.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
});

// "Select all" checkboxes: <input type="checkbox" data-select-all="name-of-row-checkboxes">
document.addEventListener("change", (event) => {
  const name = event.target.dataset && event.target.dataset.selectAll;
  if (!name) return;
  document.querySelectorAll(`input[type=checkbox][name="${name}"]:not(:disabled)`).forEach((box) => {
    box.checked = event.target.checked;
  });
});

// Forms with data-confirm="question" ask before they are sent (instead of inline onsubmit
// handlers, which the Content-Security-Policy forbids).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
