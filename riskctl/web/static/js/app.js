// Behaviour every page shares, bound here rather than in inline handlers (the CSP allows none).
"use strict";
// <form data-confirm="…"> and <button data-confirm="…">: ask before submitting.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
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
