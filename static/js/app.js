// Small progressive enhancements; every page also works without them (base.html's menus open on
// focus when this file did not run: the `no-js` class below).
document.documentElement.classList.remove("no-js");

// --- top bar: menus and the phone menu button ------------------------------------------------
function closeMenu(menu, returnFocus) {
  menu.classList.remove("open");
  const button = menu.querySelector(".menu-button");
  button.setAttribute("aria-expanded", "false");
  if (returnFocus) button.focus();
}

function setNavOpen(open, returnFocus) {
  const toggle = document.querySelector(".nav-toggle");
  if (!toggle) return;
  toggle.closest(".topbar").classList.toggle("nav-open", open);
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
  if (!open) document.querySelectorAll(".menu.open").forEach((menu) => closeMenu(menu, false));
  if (returnFocus) toggle.focus();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest(".menu-button");
  document.querySelectorAll(".menu.open").forEach((menu) => {
    if (!button || menu !== button.parentElement) closeMenu(menu, false);
  });
  if (button) {
    const menu = button.parentElement;
    const open = menu.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  const toggle = event.target.closest(".nav-toggle");
  if (toggle) setNavOpen(toggle.getAttribute("aria-expanded") !== "true", false);
  else if (!event.target.closest(".topnav")) setNavOpen(false, false);
});

// Escape closes the innermost open thing and gives focus back to the button that opened it.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const menu = document.querySelector(".menu.open");
  if (menu) { closeMenu(menu, true); return; }
  const toggle = document.querySelector(".nav-toggle[aria-expanded=true]");
  if (toggle) setNavOpen(false, true);
});

// Down arrow on an open menu's button goes into the menu; up/down move between its items.
document.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const menu = event.target.closest(".menu");
  if (!menu) return;
  const items = Array.from(menu.querySelectorAll("[role=menuitem]"));
  if (!items.length) return;
  if (!menu.classList.contains("open")) {
    menu.classList.add("open");
    menu.querySelector(".menu-button").setAttribute("aria-expanded", "true");
  }
  const at = items.indexOf(document.activeElement);
  const next = event.key === "ArrowDown" ? Math.min(at + 1, items.length - 1) : Math.max(at - 1, 0);
  items[at === -1 ? 0 : next].focus();
  event.preventDefault();
});

// --- "Select all" checkboxes: <input type="checkbox" data-select-all="name-of-row-checkboxes"> ---
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

// --- toasts (templates/_macros/ui.html) -------------------------------------------------------
document.addEventListener("click", (event) => {
  const close = event.target.closest("[data-dismiss-toast]");
  if (close) close.closest(".toast").remove();
});

// A result handed over by the page before this one (e.g. the QuickBooks pop-up's "Connected to
// …", static/js/qbo_connect.js), shown like a flashed message: it replaces what the region shows.
function showToast(level, text) {
  const region = document.getElementById("toasts");
  if (!region || !text) return;
  const toast = document.createElement("div");
  toast.className = `toast alert alert-${["success", "info", "warning", "danger"].includes(level) ? level : "info"}`;
  const words = document.createElement("span");
  words.className = "toast-text";
  words.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.setAttribute("data-dismiss-toast", "");
  close.setAttribute("aria-label", "Dismiss");
  close.textContent = "×";
  toast.append(words, close);
  region.replaceChildren(toast);
}
document.addEventListener("DOMContentLoaded", () => {
  let handed = null;
  try {
    handed = JSON.parse(sessionStorage.getItem("careledger.toast") || "null");
    sessionStorage.removeItem("careledger.toast");
  } catch (e) { handed = null; }
  if (handed) showToast(handed.level, handed.text);
});

// --- loading state, for every request ---------------------------------------------------------
// While an htmx request runs, the control that fired it is disabled and marked aria-busy, and
// the bar at the top (#busy) shows; both end when the answer (or an error) arrives. A field that
// filters as you type is not disabled (it would lose the focus), only the bar shows.
const pending = new Set();

function showBusy() {
  const bar = document.getElementById("busy");
  if (bar) bar.hidden = pending.size === 0;
}

function controlsOf(elt, event) {
  if (elt.matches("button, input[type=submit]")) return [elt];
  if (elt.tagName === "FORM") {
    const submitter = event && event.submitter;
    const buttons = Array.from(elt.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]"));
    if (elt.id) buttons.push(...document.querySelectorAll(`[form="${elt.id}"][type=submit]`));
    return submitter && !buttons.includes(submitter) ? buttons.concat([submitter]) : buttons;
  }
  return [];
}

document.addEventListener("htmx:beforeSend", (event) => {
  const detail = event.detail;
  // Background polls (hx-trigger="every …") are nobody's click: no bar, nothing disabled.
  if (/\bevery\b/.test(detail.elt.getAttribute("hx-trigger") || "") || detail.elt.closest("[data-no-busy]")) return;
  const trigger = detail.requestConfig && detail.requestConfig.triggeringEvent;
  const controls = controlsOf(detail.elt, trigger).filter((c) => !c.disabled);
  controls.forEach((c) => { c.disabled = true; c.setAttribute("aria-busy", "true"); });
  if (detail.elt.tagName === "A") detail.elt.setAttribute("aria-busy", "true");
  pending.add(detail.xhr);
  showBusy();
  detail.xhr.addEventListener("loadend", () => {
    controls.forEach((c) => { c.disabled = false; c.removeAttribute("aria-busy"); });
    detail.elt.removeAttribute("aria-busy");
    pending.delete(detail.xhr);
    showBusy();
  });
});

// A plain form (a full page load) also disables its buttons once sent, against double clicks.
// After the event, so the pressed button's name/value still travels; undone if the browser
// brings the page back from its history cache. Forms that stay on the page (a pop-up target,
// data-no-busy) are left alone.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.target || form.method === "dialog" || form.hasAttribute("data-no-busy")) return;
  const controls = controlsOf(form, event).filter((c) => !c.disabled);
  setTimeout(() => controls.forEach((c) => { c.disabled = true; c.setAttribute("aria-busy", "true"); }), 0);
});
window.addEventListener("pageshow", () => {
  document.querySelectorAll("[aria-busy=true]").forEach((c) => { c.disabled = false; c.removeAttribute("aria-busy"); });
});

// --- pictures that enlarge: <button class="shot" data-shot-src="…" data-shot-alt="…"> ----------
document.addEventListener("click", (event) => {
  const shot = event.target.closest("button.shot");
  if (!shot) return;
  let viewer = document.querySelector("dialog.shot-viewer");
  if (!viewer) {
    viewer = document.createElement("dialog");
    viewer.className = "shot-viewer";
    viewer.innerHTML = '<form method="dialog"><button class="btn shot-close" aria-label="Close picture">Close</button></form><img alt="">';
    viewer.addEventListener("click", (e) => { if (e.target === viewer) viewer.close(); });
    document.body.appendChild(viewer);
  }
  const img = viewer.querySelector("img");
  img.src = shot.dataset.shotSrc;
  img.alt = shot.dataset.shotAlt || "";
  viewer.setAttribute("aria-label", shot.dataset.shotAlt || "Picture");
  viewer.showModal();  // Escape closes it; the browser returns focus to the button
});

// --- wide tables: a scrolling .table-wrap can be reached and scrolled by keyboard ---------------
function focusableScrollers() {
  document.querySelectorAll(".table-wrap").forEach((wrap) => {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.tabIndex = 0;
      if (!wrap.hasAttribute("aria-label")) wrap.setAttribute("aria-label", "Table (scrolls sideways)");
      wrap.setAttribute("role", wrap.getAttribute("role") || "region");
    } else if (wrap.getAttribute("aria-label") === "Table (scrolls sideways)") {
      wrap.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
document.addEventListener("htmx:afterSettle", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
