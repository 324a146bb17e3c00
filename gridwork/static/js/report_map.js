// Filing forms (resident report, 12345 seat, patrol) and receipts: the text counter, photo previews, the place
// picker (a pin on a map of grid boundaries, or a building from the search), copy buttons.
// No tile layer and nothing loaded from outside: the map shows the grids of the street around the pin.
// Every message shown here comes from data-msg-* attributes written by the (translated) templates.
(function () {
  "use strict";

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
    });
  }

  function withParams(base, params) {
    const url = new URL(base, window.location.href);
    Object.keys(params).forEach(function (key) { url.searchParams.set(key, params[key]); });
    return url.toString();
  }

  // --- the text counter ---------------------------------------------------------------------------------
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    const field = document.getElementById(counter.dataset.counterFor);
    if (!field) { return; }
    const max = Number(counter.dataset.max || field.getAttribute("maxlength") || 0);
    const min = Number(field.dataset.counterMin || 0);
    function update() {
      const length = field.value.trim().length;
      counter.textContent = length + " / " + max;
      counter.classList.toggle("text-danger", (min && length > 0 && length < min) || (max && length > max));
    }
    field.addEventListener("input", update);
    update();
  });

  // --- photo previews -------------------------------------------------------------------------------------
  document.querySelectorAll("[data-photos]").forEach(function (box) {
    const inputs = box.querySelectorAll("[data-photo-input]");
    const previews = box.querySelector("[data-photo-previews]");
    const max = Number(box.dataset.max || 9);
    function update() {
      previews.replaceChildren();
      let count = 0;
      inputs.forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) {
          count += 1;
          const image = document.createElement("img");
          image.className = "rounded border object-fit-cover";
          image.width = 72;
          image.height = 72;
          image.alt = file.name;
          image.src = URL.createObjectURL(file);
          image.addEventListener("load", function () { URL.revokeObjectURL(image.src); });
          previews.appendChild(image);
        });
      });
      if (count > max) {
        const warning = document.createElement("div");
        warning.className = "w-100 small text-danger";
        warning.textContent = box.dataset.msgTooMany;
        previews.appendChild(warning);
      }
    }
    inputs.forEach(function (input) { input.addEventListener("change", update); });
  });

  // --- the building search ------------------------------------------------------------------------------
  document.querySelectorAll("[data-building-search]").forEach(function (search) {
    const scope = search.closest("fieldset") || search.closest("form");
    const form = search.closest("form");
    const results = scope.querySelector("[data-building-results]");
    const chosen = scope.querySelector("[data-building-chosen]");
    const hidden = form.querySelector("input[name=building]");
    let timer = null;
    let sequence = 0;

    function label(item) {
      return [item.name, item.address, item.grid, item.community].filter(Boolean).join(" · ");
    }

    function choose(item) {
      hidden.value = item.code;
      chosen.querySelector("span").textContent = label(item);
      chosen.hidden = false;
      results.replaceChildren();
      search.value = "";
      form.dispatchEvent(new CustomEvent("gridwork:building-chosen", { detail: item }));
    }

    function show(items, message) {
      results.replaceChildren();
      items.forEach(function (item) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action small";
        button.setAttribute("role", "option");
        button.textContent = label(item);
        button.addEventListener("click", function () { choose(item); });
        results.appendChild(button);
      });
      if (!items.length && message) {
        const empty = document.createElement("div");
        empty.className = "list-group-item small text-muted";
        empty.textContent = message;
        results.appendChild(empty);
      }
    }

    search.addEventListener("input", function () {
      window.clearTimeout(timer);
      const query = search.value.trim();
      if (query.length < 2) { results.replaceChildren(); return; }
      timer = window.setTimeout(function () {
        const mine = ++sequence;
        fetchJson(withParams(search.dataset.url, { q: query })).then(function (answer) {
          if (mine !== sequence) { return; }
          show(answer.body.results || [], answer.body.message || search.dataset.msgNone);
        });
      }, 250);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  });

  // --- the place picker: pin or building -------------------------------------------------------------------
  document.querySelectorAll("[data-place-picker]").forEach(function (picker) {
    const form = picker.closest("form");
    const lat = form.querySelector("input[name=location_lat]");
    const lng = form.querySelector("input[name=location_lng]");
    const building = form.querySelector("input[name=building]");
    const chosen = picker.querySelector("[data-building-chosen]");
    const result = picker.querySelector("[data-locate-result]");
    const element = picker.querySelector("#report-map");
    let map = null;
    let marker = null;
    let gridLayer = null;
    let loadedStreetOf = null;

    function mode() {
      const checked = picker.querySelector("[data-place-mode]:checked");
      return checked ? checked.value : "pin";
    }

    function showMode() {
      const current = mode();
      picker.querySelectorAll("[data-place-panel]").forEach(function (panel) {
        panel.hidden = panel.dataset.placePanel !== current;
      });
      if (current === "pin" && map) { window.setTimeout(function () { map.invalidateSize(); }, 0); }
    }

    picker.querySelectorAll("[data-place-mode]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        // One way of giving the place at a time: the other one is cleared.
        if (mode() === "pin") {
          building.value = "";
          chosen.hidden = true;
        } else {
          lat.value = "";
          lng.value = "";
          if (marker) { marker.remove(); marker = null; }
        }
        showMode();
      });
    });

    function say(text, isError) {
      result.textContent = text;
      result.classList.toggle("text-danger", Boolean(isError));
    }

    function loadGrids(latitude, longitude) {
      if (!map) { return; }
      fetchJson(withParams(element.dataset.gridsUrl, { lat: latitude, lng: longitude })).then(function (answer) {
        if (!answer.ok) { return; }
        const features = answer.body.features || [];
        const codes = features.map(function (feature) { return feature.properties.code; }).join(",");
        if (codes === loadedStreetOf) { return; }
        loadedStreetOf = codes;
        if (gridLayer) { gridLayer.remove(); }
        gridLayer = L.geoJSON(answer.body, {
          style: function () { return { color: "#1f6feb", weight: 1, fillOpacity: 0.08 }; },
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(feature.properties.community + " · " + feature.properties.name);
            layer.on("click", function (event) { putPin(event.latlng.lat, event.latlng.lng); });
          },
        }).addTo(map);
        if (!marker) {
          const bounds = gridLayer.getBounds();
          if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); }
        }
      });
    }

    function locate(latitude, longitude) {
      say(element.dataset.msgLocating, false);
      fetchJson(withParams(element.dataset.locateUrl, { lat: latitude, lng: longitude }))
        .then(function (answer) {
          if (!answer.ok) {
            say(answer.body.message || element.dataset.msgFailed, true);
            return;
          }
          const place = answer.body;
          say([place.street, place.community, place.grid.name].filter(Boolean).join(" › "), false);
          loadGrids(latitude, longitude);
        })
        .catch(function () { say(element.dataset.msgFailed, true); });
    }

    function putPin(latitude, longitude) {
      lat.value = latitude.toFixed(6);
      lng.value = longitude.toFixed(6);
      if (map) {
        if (marker) {
          marker.setLatLng([latitude, longitude]);
        } else {
          marker = L.marker([latitude, longitude], { draggable: true, keyboard: true }).addTo(map);
          marker.on("dragend", function () {
            const point = marker.getLatLng();
            putPin(point.lat, point.lng);
          });
        }
      }
      locate(latitude, longitude);
    }

    if (element && typeof L !== "undefined") {
      map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
      const start = lat.value && lng.value
        ? [Number(lat.value), Number(lng.value)]
        : element.dataset.centreLat ? [Number(element.dataset.centreLat), Number(element.dataset.centreLng)] : null;
      map.setView(start || [26.6, 106.7], 15);
      map.on("click", function (event) { putPin(event.latlng.lat, event.latlng.lng); });
      if (lat.value && lng.value) {
        putPin(Number(lat.value), Number(lng.value));
      } else if (start) {
        loadGrids(start[0], start[1]);
      }
    }

    const geolocate = picker.querySelector("[data-geolocate]");
    if (geolocate) {
      geolocate.addEventListener("click", function () {
        if (!navigator.geolocation) { say(element.dataset.msgGeoUnavailable, true); return; }
        say(element.dataset.msgLocating, false);
        navigator.geolocation.getCurrentPosition(
          function (position) {
            const latitude = position.coords.latitude;
            const longitude = position.coords.longitude;
            if (map) { map.setView([latitude, longitude], 17); }
            putPin(latitude, longitude);
          },
          function () { say(element.dataset.msgGeoUnavailable, true); },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }

    form.addEventListener("gridwork:building-chosen", function () {
      lat.value = "";
      lng.value = "";
      if (marker) { marker.remove(); marker = null; }
    });
    showMode();
  });

  // --- anonymous reports keep no contact ------------------------------------------------------------------
  document.querySelectorAll("[data-contact]").forEach(function (box) {
    const anonymous = box.querySelector("input[name=anonymous]");
    if (!anonymous) { return; }
    function update() {
      box.querySelectorAll("input[name=contact_name], input[name=contact_phone]").forEach(function (input) {
        input.disabled = anonymous.checked;
      });
    }
    anonymous.addEventListener("change", update);
    update();
  });

  // --- one click sends once (the server files a retry once too) -------------------------------------------
  document.querySelectorAll("[data-intake-form]").forEach(function (form) {
    const button = form.querySelector("[data-submit]");
    if (!button) { return; }
    const label = button.innerHTML;
    form.addEventListener("submit", function () {
      button.disabled = true;
      button.textContent = button.dataset.msgSending;
    });
    window.addEventListener("pageshow", function () {
      button.disabled = false;
      button.innerHTML = label;
    });
  });

  // --- copy buttons ---------------------------------------------------------------------------------------
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      const source = document.getElementById(button.dataset.copyTarget);
      const text = source ? source.textContent.trim() : "";
      function done() { button.textContent = button.dataset.msgCopied; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
        return;
      }
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (document.execCommand("copy")) { done(); }
    });
  });
})();
