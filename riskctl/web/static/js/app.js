// Behaviour every page shares, bound here rather than in inline handlers (the CSP allows none).
"use strict";

// One confirmation for every step that cannot be undone.
// <form data-confirm="…"> or <button data-confirm="…">: ask before submitting; the message
// says what will happen. Placeholders are filled from the form being submitted:
//   {field}        the value of the form's field named "field" (a select gives its option's text)
//   {count:field}  how many checkboxes named "field" are ticked
// A message with {count:…} that counts 0 is not asked: data-confirm-none (if given) is shown
// instead and nothing is submitted.
function fieldText(form, name) {
  const element = form.elements.namedItem(name);
  if (!element) return "";
  if (element instanceof HTMLSelectElement) {
    const option = element.selectedOptions[0];
    return option ? option.text.trim() : "";
  }
  return ("value" in element ? String(element.value) : "").trim();
}

function countTicked(form, name) {
  return Array.from(form.querySelectorAll("input[type=checkbox]")).filter(
    (box) => box.name === name && box.checked,
  ).length;
}

function confirmationFor(form, source) {
  let empty = false;
  const text = source.dataset.confirm.replace(/\{(count:)?([\w-]+)\}/g, (_, count, name) => {
    if (count) {
      const n = countTicked(form, name);
      if (n === 0) empty = true;
      return String(n);
    }
    return fieldText(form, name) || "（未填写）";
  });
  return { text, empty };
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const source = button && button.dataset.confirm ? button : form.dataset.confirm ? form : null;
  if (!source) return;
  const { text, empty } = confirmationFor(form, source);
  if (empty && source.dataset.confirmNone) {
    event.preventDefault();
    window.alert(source.dataset.confirmNone);
    return;
  }
  if (!window.confirm(text)) {
    event.preventDefault();
  }
});

// <a data-back>: back to the previous page when there is one.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

// Tables wider than the screen scroll inside their own box rather than widening the page.
function wrapTables() {
  document.querySelectorAll("main table").forEach((table) => {
    const parent = table.parentElement;
    if (parent && parent.classList.contains("table-scroll")) return;
    const box = document.createElement("div");
    box.className = "table-scroll";
    parent.insertBefore(box, table);
    box.appendChild(table);
  });
}

// The main navigation collapses behind a 菜单 button on narrow screens.
function bindNavToggle() {
  document.querySelectorAll("[data-nav-toggle]").forEach((button) => {
    const target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) return;
    button.addEventListener("click", () => {
      const open = target.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  wrapTables();
  bindNavToggle();
});
