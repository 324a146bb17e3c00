// The big screen (大屏): draws the embedded payload (#screen-data) on a dark theme, then fetches the same figures
// from data.json every minute (data-refresh-seconds) and redraws. Needs no one at the keyboard. If a refresh
// fails the screen keeps the last figures and says since when; the page's <meta refresh> reloads it anyway.
(function () {
  "use strict";
  const screen = document.getElementById("screen");
  const source = document.getElementById("screen-data");
  if (!screen || !source || !window.GridworkCharts) { return; }
  let data = JSON.parse(source.textContent);
  const drawn = window.GridworkCharts.render(screen, data, { theme: "dark", animation: false });
  const refreshed = screen.querySelector("[data-testid=refreshed]");
  const seconds = Number(screen.dataset.refreshSeconds) || 60;

  function clock(iso) { return (iso || "").slice(11, 19); }

  function show(next) {
    next.cards.forEach(function (card) {
      const value = screen.querySelector('[data-testid="tile-value-' + card.key + '"]');
      if (value) { value.textContent = card.display; }
    });
    const period = screen.querySelector("[data-field=period]");
    if (period) { period.textContent = next.period.text; }
    drawn.update(next);
    refreshed.textContent = next.labels.refreshed.replace("%(time)s", clock(next.generated_at));
    refreshed.classList.remove("is-stale");
    screen.dataset.refreshedAt = next.generated_at;
    screen.dataset.refreshes = String(Number(screen.dataset.refreshes || 0) + 1);
  }

  function refresh() {
    return fetch(screen.dataset.src, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (next) {
        data = next;
        show(next);
      })
      .catch(function () {
        const now = new Date();
        const time = [now.getHours(), now.getMinutes(), now.getSeconds()]
          .map(function (part) { return String(part).padStart(2, "0"); }).join(":");
        refreshed.textContent = data.labels.refresh_failed
          .replace("%(time)s", time)
          .replace("%(shown)s", clock(data.generated_at));
        refreshed.classList.add("is-stale");
      });
  }

  screen.dataset.refreshedAt = data.generated_at;
  window.setInterval(refresh, seconds * 1000);
})();
