// The matter page's map: the grid's boundary and the matter's pin, on a plain background.
// No tile layer: government intranets have no internet, and the platform loads nothing from outside.
(function () {
  "use strict";
  const element = document.getElementById("matter-map");
  if (!element || typeof L === "undefined") { return; }
  const map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
  fetch(element.dataset.src, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("map data: HTTP " + response.status); }
      return response.json();
    })
    .then(function (collection) {
      const layer = L.geoJSON(collection, {
        style: function () { return { color: "#1f6feb", weight: 2, fillOpacity: 0.08 }; },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 8, color: "#b3141c", weight: 3, fillColor: "#b3141c", fillOpacity: 0.6 });
        },
        onEachFeature: function (feature, featureLayer) { featureLayer.bindTooltip(feature.properties.name || ""); },
      }).addTo(map);
      const pin = collection.features.find(function (feature) { return feature.properties.role === "pin"; });
      const bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
      } else {
        map.setView([26.6, 106.7], 11);
      }
      if (pin && !collection.features.some(function (feature) { return feature.properties.role === "grid"; })) {
        map.setView([pin.geometry.coordinates[1], pin.geometry.coordinates[0]], 17);
      }
      element.dataset.loaded = String(collection.features.length);
    })
    .catch(function (error) {
      element.textContent = error.message;
      element.dataset.loaded = "error";
    });
})();
