// The grid worker's patrol report (随手拍): the place from the device as soon as the page opens, shown as
// 街道 › 社区 › 网格, and the category in two taps (a group, then what was found).
// Without JavaScript every group's choices are listed and the building search is the way to give the place.
(function () {
  "use strict";
  const form = document.querySelector("[data-patrol]");
  if (!form) { return; }

  // --- the place from the device --------------------------------------------------------------------------
  const lat = form.querySelector("input[name=location_lat]");
  const lng = form.querySelector("input[name=location_lng]");
  const result = form.querySelector("[data-locate-result]");
  const details = form.querySelector("[data-patrol-place] details");

  function say(text, isError) {
    result.textContent = text;
    result.classList.toggle("text-danger", Boolean(isError));
  }

  function describe(latitude, longitude) {
    const url = new URL(form.dataset.locateUrl, window.location.href);
    url.searchParams.set("lat", latitude);
    url.searchParams.set("lng", longitude);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          say(answer.body.message || form.dataset.msgFailed, true);
          if (details) { details.open = true; }
          return;
        }
        const place = answer.body;
        say([place.street, place.community, place.grid.name].filter(Boolean).join(" › "), false);
      })
      .catch(function () { say(form.dataset.msgFailed, true); });
  }

  function fromDevice() {
    if (!navigator.geolocation) {
      say(form.dataset.msgGeoUnavailable, true);
      if (details) { details.open = true; }
      return;
    }
    say(form.dataset.msgLocating, false);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        describe(lat.value, lng.value);
      },
      function () {
        say(form.dataset.msgGeoUnavailable, true);
        if (details) { details.open = true; }
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 }
    );
  }

  const again = form.querySelector("[data-geolocate]");
  if (again) { again.addEventListener("click", fromDevice); }
  if (lat.value && lng.value) { describe(lat.value, lng.value); } else { fromDevice(); }

  // --- the category in two taps ---------------------------------------------------------------------------
  const taps = form.querySelector("[data-two-taps]");
  if (!taps) { return; }
  const groups = taps.querySelector("[data-tap-groups]");
  const lists = taps.querySelectorAll("[data-tap-children]");

  function showGroups() {
    groups.hidden = false;
    lists.forEach(function (list) { list.hidden = true; });
  }

  function showChildren(code) {
    groups.hidden = true;
    lists.forEach(function (list) {
      list.hidden = list.dataset.tapChildren !== code;
      list.querySelectorAll("[data-tap-back]").forEach(function (back) { back.hidden = false; });
    });
  }

  taps.querySelectorAll("[data-tap-group]").forEach(function (button) {
    button.addEventListener("click", function () { showChildren(button.dataset.tapGroup); });
  });
  taps.querySelectorAll("[data-tap-back]").forEach(function (button) {
    button.addEventListener("click", showGroups);
  });

  const checked = taps.querySelector("input[name=category]:checked");
  if (checked) {
    showChildren(checked.closest("[data-tap-children]").dataset.tapChildren);
  } else {
    showGroups();
  }
})();
