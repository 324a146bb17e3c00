// The 民情图: households visited in the chosen month, households with open needs and (for those who may see them)
// households in difficulty, as points on the platform's own Leaflet. No tile layer unless the deployment names one
// (data-tile-url): the points stand on a plain background. Each point is an SVG path carrying data-testid and
// data-code (data-count for the restricted layer), so the page can be checked without reading the picture.
(function () {
  "use strict";
  const element = document.getElementById("gridvisits-map");
  const labelSource = document.getElementById("gridvisits-map-labels");
  if (!element || !labelSource || typeof L === "undefined") { return; }
  const labels = JSON.parse(labelSource.textContent);
  const status = document.querySelector("[data-testid=map-status]");
  const COLOURS = { visited: "#1f7a3a", needs: "#d9822b", difficulty: "#7b3fa0" };
  const RADIUS = { visited: 9, needs: 6, difficulty: 12 };

  const map = L.map(element, { attributionControl: false, maxZoom: 19 }).setView([26.6, 106.7], 12);
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, { maxZoom: 19, attribution: element.dataset.tileAttribution || "" }).addTo(map);
  }
  const layers = {};
  const bounds = L.latLngBounds([]);

  function text(value) {
    const span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function popup(name, properties) {
    if (name === "difficulty") { return text(labels.households + ": " + properties.households); }
    const rows = [];
    if (properties.label) { rows.push("<strong>" + text(properties.label) + "</strong>"); }
    if (properties.visits) { rows.push(text(labels.visits + ": " + properties.visits + " · " + labels.last_visit + ": " + properties.last_visit)); }
    if (properties.open_needs) { rows.push(text(labels.open_needs + ": " + properties.open_needs)); }
    if (properties.url) { rows.push('<a href="' + encodeURI(properties.url) + '">' + text(labels.history) + "</a>"); }
    return rows.join("<br>");
  }

  function load(name) {
    const url = element.dataset[name];
    if (!url) { return Promise.resolve(); }
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        const layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, {
              radius: RADIUS[name], color: "#fff", weight: 2, fillColor: COLOURS[name], fillOpacity: 0.85,
              className: "gv-marker gv-" + name,
            });
          },
          onEachFeature: function (feature, marker) {
            marker.bindPopup(popup(name, feature.properties));
            marker.on("add", function () {
              const path = marker.getElement();
              if (!path) { return; }
              path.setAttribute("data-testid", "marker-" + name);
              if (feature.properties.code) { path.setAttribute("data-code", feature.properties.code); }
              if (feature.properties.households) { path.setAttribute("data-count", feature.properties.households); }
            });
          },
        });
        layers[name] = layer;
        const box = document.querySelector('[data-layer="' + name + '"]');
        if (!box || box.checked) { layer.addTo(map); }
        layer.eachLayer(function (marker) { bounds.extend(marker.getLatLng()); });
      });
  }

  document.querySelectorAll("[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      const name = box.dataset.layer;
      if (!layers[name] && box.checked) {
        load(name).catch(function (error) { status.textContent = labels.load_failed.replace("%(error)s", error.message); });
        return;
      }
      if (!layers[name]) { return; }
      if (box.checked) { layers[name].addTo(map); } else { map.removeLayer(layers[name]); }
    });
  });

  // The restricted layer is loaded (and its reading logged) only when its box is ticked.
  Promise.all([load("visited"), load("needs")])
    .then(function () {
      if (bounds.isValid()) { map.fitBounds(bounds.pad(0.3), { maxZoom: 17 }); }
      element.dataset.loaded = "yes";
    })
    .catch(function (error) {
      status.textContent = labels.load_failed.replace("%(error)s", error.message);
      element.dataset.loaded = "failed";
    });
})();
