// The place page's map: the place's boundary and its children's, drawn on a plain background.
// No tile layer: government intranets have no internet, and the platform loads nothing from outside.
(function () {
  "use strict";
  const element = document.getElementById("place-map");
  if (!element || typeof L === "undefined") { return; }
  const map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
  const childUrl = element.dataset.childUrl;
  fetch(element.dataset.src, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("map data: HTTP " + response.status); }
      return response.json();
    })
    .then(function (collection) {
      const layer = L.geoJSON(collection, {
        style: function (feature) {
          const own = feature.properties.role === "self";
          return { color: own ? "#b3141c" : "#1f6feb", weight: own ? 3 : 1, fillOpacity: own ? 0.05 : 0.15 };
        },
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { radius: 5 }); },
        onEachFeature: function (feature, featureLayer) {
          const props = feature.properties;
          if (props.role === "child") {
            const link = document.createElement("a");
            link.href = childUrl.replace("CODE", encodeURIComponent(props.code));
            link.textContent = props.name;
            featureLayer.bindPopup(link);
          } else {
            featureLayer.bindTooltip(props.name);
          }
        },
      }).addTo(map);
      const bounds = layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([26.6, 106.7], 11); }
      element.dataset.loaded = String(collection.features.length);
    })
    .catch(function (error) {
      element.textContent = error.message;
      element.dataset.loaded = "error";
    });
})();
