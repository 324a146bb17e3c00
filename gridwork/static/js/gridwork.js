// Behaviour every page may use, declared in the markup with data- attributes instead of inline handlers or style
// attributes, which the Content-Security-Policy forbids (script-src 'self', style-src 'self'):
//   <select data-autosubmit>        submits its form when the choice changes (the year and language switches);
//   <form data-confirm="question">  asks before it is submitted (withdrawals, deactivations);
//   data-width="40"                 sets the element's width to 40 % (progress bars);
//   data-indent="2"                 indents the element by 2 em (rows of a tree);
//   <input data-enterkey>           fires "enterkey" when Enter is released, for hx-trigger="enterkey".
// Styles set through element.style are not inline styles in the policy's sense, so they stay allowed.
(function () {
  "use strict";

  function number(value) {
    const parsed = parseFloat(value);
    return isFinite(parsed) ? parsed : 0;
  }

  function applyStyles(root) {
    root.querySelectorAll("[data-width]").forEach(function (element) {
      element.style.width = Math.max(0, Math.min(100, number(element.dataset.width))) + "%";
    });
    root.querySelectorAll("[data-indent]").forEach(function (element) {
      element.style.paddingLeft = Math.max(0, number(element.dataset.indent)) + "em";
    });
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });

  // htmx's trigger filters (keyup[key=='Enter']) need eval; an element marked data-enterkey gets an "enterkey" event.
  document.addEventListener("keyup", function (event) {
    const target = event.target;
    if (event.key === "Enter" && target instanceof Element && target.hasAttribute("data-enterkey")) {
      target.dispatchEvent(new Event("enterkey"));
    }
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  applyStyles(document);
  // Content swapped in by htmx gets the same treatment.
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) {
      applyStyles(event.target);
    }
  });
})();
