// The analysis map: the grids of the unit coloured by matter density or overdue share (a choropleth with its
// legend), and the unit's open matters in clusters. No tile layer unless the deployment names one
// (data-tile-url, from ANALYTICS_MAP_TILE_URL): government intranets have no internet, so the grids' own
// boundaries are the base layer. Every word shown comes from #analytics-map-labels.
(function () {
  "use strict";
  const element = document.getElementById("analytics-map");
  const labelSource = document.getElementById("analytics-map-labels");
  if (!element || !labelSource || typeof L === "undefined") { return; }
  const labels = JSON.parse(labelSource.textContent);
  const note = document.querySelector("[data-testid=matters-note]");

  const RAMP = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];
  const NO_DATA = "#d0d7de";
  const SHARE_STEP = 0.05; // the narrowest class of overdue share: 5 points

  const map = L.map(element, { attributionControl: false, zoomSnap: 0.25, maxZoom: 18 }).setView([26.6, 106.7], 11);
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, { maxZoom: 18, attribution: element.dataset.tileAttribution || "" }).addTo(map);
  }
  let measure = "density";
  let basis = "grid";
  let densityBreaks = [1, 2, 3, 4];
  let shareBreaks = [SHARE_STEP, 2 * SHARE_STEP, 3 * SHARE_STEP, 4 * SHARE_STEP];
  let gridLayer = null;
  let fitted = false;

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, name) { return String(values[name]); });
  }

  function niceStep(value) {
    if (!(value > 0)) { return 0; }
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    const scaled = value / power;
    const nice = scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10;
    return nice * power;
  }

  function classOf(value, breaks) {
    if (value === null || value === undefined) { return -1; }
    for (let index = 0; index < breaks.length; index += 1) {
      if (value < breaks[index]) { return index; }
    }
    return breaks.length;
  }

  function valueOf(properties) { return measure === "density" ? properties.density : properties.overdue_share; }
  function breaks() { return measure === "density" ? densityBreaks : shareBreaks; }

  // Five classes of equal, round width from zero up to the highest value of the map (the legend gives them).
  function classes(features, key, narrowest) {
    const highest = features.reduce(function (top, feature) {
      return Math.max(top, feature.properties[key] || 0);
    }, 0);
    const step = Math.max(niceStep(highest / 5), narrowest);
    return [step, 2 * step, 3 * step, 4 * step];
  }

  function colourOf(properties) {
    const index = classOf(valueOf(properties), breaks());
    return index < 0 ? NO_DATA : RAMP[index];
  }

  function style(feature) {
    return { color: "#4a5568", weight: 1, opacity: 0.8, fillColor: colourOf(feature.properties), fillOpacity: element.dataset.tileUrl ? 0.55 : 0.75 };
  }

  // --- the legend ------------------------------------------------------------------------------------------
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    const box = L.DomUtil.create("div", "analytics-legend");
    box.dataset.testid = "legend";
    return box;
  };
  legend.addTo(map);

  function bound(value) {
    if (measure === "density") { return value.toLocaleString(); }
    return Math.round(value * 100) + "%";
  }

  function drawLegend() {
    const box = legend.getContainer();
    box.replaceChildren();
    const title = document.createElement("div");
    title.className = "legend-title";
    title.textContent = measure === "density"
      ? (basis === "households" ? labels.density_households : labels.density_grid)
      : labels.overdue_share;
    box.appendChild(title);
    const steps = breaks();
    const rows = RAMP.map(function (colour, index) {
      let text;
      if (index === 0) { text = "< " + bound(steps[0]); }
      else if (index === steps.length) { text = "≥ " + bound(steps[steps.length - 1]); }
      else { text = bound(steps[index - 1]) + " – " + bound(steps[index]); }
      return [colour, text];
    });
    rows.push([NO_DATA, labels.no_data]);
    rows.forEach(function (row) {
      const line = document.createElement("div");
      const swatch = document.createElement("span");
      swatch.className = "legend-swatch";
      swatch.style.background = row[0];
      line.appendChild(swatch);
      line.appendChild(document.createTextNode(row[1]));
      box.appendChild(line);
    });
    box.dataset.measure = measure;
    box.dataset.basis = basis;
  }

  // --- the grids ---------------------------------------------------------------------------------------------
  function popupFor(properties) {
    const box = document.createElement("div");
    box.className = "analytics-popup";
    box.dataset.testid = "grid-popup";
    const heading = document.createElement("strong");
    heading.textContent = properties.name;
    box.appendChild(heading);
    const table = document.createElement("table");
    const rows = [
      [labels.received, properties.received],
      [labels.dispatched, properties.dispatched],
      [labels.response_rate, properties.display.response_rate],
      [labels.resolution_rate, properties.display.resolution_rate],
      [labels.satisfaction_rate, properties.display.satisfaction_rate],
      [labels.overdue, properties.overdue],
      [labels.share, properties.display.overdue_share],
      [labels.density, properties.display.density],
      [labels.households, properties.households],
    ];
    rows.forEach(function (row) {
      const line = table.insertRow();
      line.insertCell().textContent = row[0];
      line.insertCell().textContent = String(row[1]);
    });
    box.appendChild(table);
    const link = document.createElement("a");
    link.href = properties.url;
    link.textContent = labels.open_dashboard;
    link.dataset.testid = "grid-dashboard-link";
    box.appendChild(link);
    return box;
  }

  function fit(bounds) {
    if (!fitted && bounds.isValid()) {
      map.fitBounds(bounds, { padding: [10, 10] });
      fitted = true;
    }
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  const overlays = {};
  const layers = L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map);

  // Both requests leave at once; the matters are drawn after the grids, so that the grids decide the view.
  const openMatters = load(element.dataset.open);
  openMatters.catch(function () { /* reported when the grids are drawn, below */ });
  const grids = load(element.dataset.grids)
    .then(function (collection) {
      basis = collection.density_basis;
      densityBreaks = classes(collection.features, "density", basis === "grid" ? 1 : 0.1);
      shareBreaks = classes(collection.features, "overdue_share", SHARE_STEP);
      gridLayer = L.geoJSON(collection, {
        style: style,
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { radius: 8 }); },
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(feature.properties.name, { sticky: true });
          layer.bindPopup(function () { return popupFor(feature.properties); });
        },
      }).addTo(map);
      layers.addOverlay(gridLayer, labels.grids);
      gridLayer.bringToBack();
      drawLegend();
      fit(gridLayer.getBounds());
      element.dataset.grids = String(collection.features.length);
      if (!collection.features.length && note) { note.textContent = labels.no_grids; }
    })
    .catch(function (error) {
      element.dataset.grids = "error";
      if (note) { note.textContent = format(labels.load_failed, { error: String(error && error.message || error) }); }
    });

  grids
    .then(function () { return openMatters; })
    .then(function (collection) {
      const cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
      const icon = L.divIcon({ className: "analytics-matter-pin", iconSize: [12, 12] });
      const markers = collection.features.map(function (feature) {
        const coordinates = feature.geometry.coordinates;
        const marker = L.marker([coordinates[1], coordinates[0]], { icon: icon, title: feature.properties.number });
        marker.bindPopup(function () {
          const box = document.createElement("div");
          box.className = "analytics-popup";
          const link = document.createElement("a");
          link.href = feature.properties.url;
          link.className = "font-monospace";
          link.textContent = feature.properties.number;
          box.appendChild(link);
          const state = document.createElement("span");
          state.className = "badge text-bg-secondary ms-1";
          state.textContent = feature.properties.state_label;
          box.appendChild(state);
          const title = document.createElement("div");
          title.textContent = feature.properties.title;
          box.appendChild(title);
          return box;
        });
        return marker;
      });
      cluster.addLayers(markers);
      cluster.addTo(map);
      layers.addOverlay(cluster, labels.open_matters);
      if (note) {
        note.textContent = collection.capped
          ? format(labels.capped, { shown: collection.features.length.toLocaleString(), total: collection.total.toLocaleString() })
          : format(labels.matters_shown, { shown: collection.features.length.toLocaleString() });
      }
      element.dataset.matters = String(collection.features.length);
      if (!gridLayer || !gridLayer.getLayers().length) { fit(cluster.getBounds()); }
    })
    .catch(function (error) {
      element.dataset.matters = "error";
      if (note) { note.textContent = format(labels.load_failed, { error: String(error && error.message || error) }); }
    });

  document.querySelectorAll('input[name="measure"]').forEach(function (input) {
    input.addEventListener("change", function () {
      if (!input.checked) { return; }
      measure = input.value;
      if (gridLayer) { gridLayer.setStyle(style); }
      drawLegend();
    });
  });
})();
