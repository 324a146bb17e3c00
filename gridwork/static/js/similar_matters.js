// Likely duplicates (查重) under the text box of a filing form: the resident's report and the 12345 seat. After a
// pause in typing (or when the place or category changes) the open matters near the place with a similar text are
// listed. The staff answer links each matter; the residents' answer holds only what the public may see.
// Every message shown here comes from data-msg-* attributes written by the (translated) templates.
(function () {
  "use strict";
  const PAUSE_MS = 400;
  const PLACE_CHECK_MS = 1500;

  document.querySelectorAll("[data-similar]").forEach(function (box) {
    const form = box.closest("form");
    const text = document.getElementById(box.dataset.similarFor);
    const list = box.querySelector("[data-similar-results]");
    if (!form || !text || !list) { return; }
    const min = Number(box.dataset.min || 6);
    const staff = box.dataset.kind === "staff";
    let timer = null;
    let sequence = 0;
    let lastUrl = "";
    let lastPlace = "";

    function value(name) {
      const checked = form.querySelector("input[name='" + name + "']:checked");
      if (checked) { return checked.value; }
      const field = form.querySelector("[name='" + name + "']");
      return field && field.type !== "radio" && field.type !== "checkbox" ? field.value : "";
    }

    function place() {
      return [value("location_lat"), value("location_lng"), value("building"), value("category")].join("|");
    }

    function address() {
      const url = new URL(box.dataset.url, window.location.href);
      url.searchParams.set("text", text.value.trim().slice(0, 500));
      url.searchParams.set("lat", value("location_lat"));
      url.searchParams.set("lng", value("location_lng"));
      url.searchParams.set("building", value("building"));
      if (staff) { url.searchParams.set("category", value("category")); }
      return url.toString();
    }

    function line(result) {
      const item = document.createElement("li");
      item.className = "list-group-item bg-transparent px-0 py-1";
      const number = document.createElement(staff ? "a" : "span");
      number.className = "font-monospace me-2";
      number.textContent = result.number;
      if (staff) {
        number.href = result.url;
        number.target = "_blank";
        number.rel = "noopener";
      }
      item.appendChild(number);
      const facts = staff
        ? [result.title, result.state, result.reason]
        : [result.category, result.state, result.distance, result.age];
      const rest = document.createElement("span");
      rest.textContent = facts.filter(Boolean).join(" · ");
      item.appendChild(rest);
      return item;
    }

    function show(results) {
      list.replaceChildren(...results.map(line));
      box.hidden = results.length === 0;
    }

    function check() {
      if (text.value.trim().length < min) {
        lastUrl = "";
        show([]);
        return;
      }
      const url = address();
      if (url === lastUrl) { return; }
      lastUrl = url;
      const mine = ++sequence;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (mine !== sequence || !body) { return; }
          show(body.results || []);
        })
        .catch(function () { lastUrl = ""; });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, PAUSE_MS);
    }

    text.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("gridwork:building-chosen", later);
    // The map sets the pin's hidden inputs without an event: look at them now and then, and ask again if they moved.
    window.setInterval(function () {
      const now = place();
      if (now !== lastPlace) {
        lastPlace = now;
        later();
      }
    }, PLACE_CHECK_MS);
    lastPlace = place();
    check();
  });
})();
