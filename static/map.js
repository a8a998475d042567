// The project map: parcels coloured by status or by hotspot risk (GeoJSON of the visible area,
// reloaded as the map moves), the recovery boundary, filters, search and a popup with each
// parcel's cases. The colouring toggle (name="colour") swaps the legend and asks the GeoJSON for
// each parcel's risk (?colour=risk).
// Plain ES2017 on the vendored Leaflet, no build step. Every text shown comes from the page's
// #map-config block (rendered through gettext). After each full draw of the parcels the body gets
// data-map-ready="1" and data-map-draws=<n>; window.clearanceMap exposes the map for tests.
(function () {
  "use strict";
  const root = document.getElementById("parcel-map");
  const configBlock = document.getElementById("map-config");
  if (!root || !configBlock || !window.L) return;
  const cfg = JSON.parse(configBlock.textContent);
  const t = cfg.strings;
  const form = document.getElementById("map-tools");
  const statusLine = document.getElementById("map-status");
  const hitsBox = document.getElementById("map-hits");
  const legend = document.getElementById("map-legend");

  const wide = window.matchMedia("(min-width: 641px)");
  if (legend && wide.matches) legend.open = true; // a phone starts with the legend folded away

  const map = L.map(root, { preferCanvas: true, maxZoom: 22, zoomSnap: 1, worldCopyJump: false });
  if (cfg.tiles && cfg.tiles.url) {
    L.tileLayer(cfg.tiles.url, { attribution: cfg.tiles.attribution || "", maxZoom: 22, maxNativeZoom: 19 }).addTo(map);
  } else {
    root.classList.add("no-tiles");
  }

  // The boundary sits above the parcels and lets clicks through to them.
  const boundaryPane = map.createPane("boundary");
  boundaryPane.style.zIndex = 450;
  boundaryPane.style.pointerEvents = "none";
  if (cfg.boundary) {
    L.geoJSON(cfg.boundary, {
      pane: "boundary", interactive: false, renderer: L.svg({ pane: "boundary" }),
      style: { color: cfg.boundaryColour, weight: 2.5, dashArray: "8 5", fill: false },
    }).addTo(map);
  }

  let mode = cfg.colour === "risk" ? "risk" : "status";
  function fillFor(properties) {
    if (mode === "risk") return cfg.riskColours[properties.risk] || "#999999";
    return cfg.colours[properties.status] || "#999999";
  }

  let selectedId = null;
  const byId = new Map();
  const parcels = L.geoJSON(null, {
    style: function (feature) {
      const selected = feature.properties.id === selectedId;
      return {
        color: selected ? "#000" : cfg.outline, weight: selected ? 3 : 1, opacity: 0.9,
        fillColor: fillFor(feature.properties), fillOpacity: 0.75,
      };
    },
    onEachFeature: function (feature, layer) {
      byId.set(feature.properties.id, layer);
      layer.on("click", function (event) { openParcel(feature.properties.id, event.latlng); });
    },
  }).addTo(map);

  if (cfg.extent) {
    const [minx, miny, maxx, maxy] = cfg.extent;
    map.fitBounds([[miny, minx], [maxy, maxx]], { padding: [12, 12], maxZoom: 20 });
  } else {
    map.setView([21.0245, 105.8412], 14); // Hà Nội, until the project has parcels
    say(t.no_parcels);
  }

  function say(text, isError) {
    if (!statusLine) return;
    statusLine.textContent = text || "";
    statusLine.hidden = !text;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  function filterParams() {
    const params = new URLSearchParams();
    for (const name of ["status", "ward", "land_use"]) {
      const value = form && form.elements[name] ? form.elements[name].value : "";
      if (value) params.set(name, value);
    }
    if (mode === "risk") params.set("colour", "risk");
    return params;
  }

  // The legend and the print links follow the colouring.
  function showMode() {
    document.querySelectorAll("#map-legend [data-legend]").forEach(function (body) {
      body.hidden = body.dataset.legend !== mode;
    });
    document.querySelectorAll("a[data-print-link]").forEach(function (link) {
      const url = new URL(link.href, window.location.href);
      if (mode === "risk") url.searchParams.set("colour", "risk"); else url.searchParams.delete("colour");
      link.href = url.pathname + url.search;
    });
    document.body.dataset.mapColour = mode;
  }
  showMode();

  // --- loading the parcels of the view ------------------------------------------------------
  let loaded = null; // {bounds, zoom, filters} of the data on the map
  let controller = null;
  let draws = 0;
  let pending = null; // a search hit to open once its area is drawn
  let lastCount = "";

  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

  function load(force) {
    const zoom = map.getZoom();
    const view = map.getBounds();
    const filters = filterParams().toString();
    if (!force && loaded && loaded.zoom === zoom && loaded.filters === filters && loaded.bounds.contains(view)) {
      openPending();
      return;
    }
    const box = view.pad(0.5);
    const bbox = [
      clamp(box.getWest(), -180, 180), clamp(box.getSouth(), -90, 90),
      clamp(box.getEast(), -180, 180), clamp(box.getNorth(), -90, 90),
    ];
    const params = filterParams();
    params.set("bbox", bbox.map(function (v) { return v.toFixed(6); }).join(","));
    params.set("zoom", String(Math.round(zoom)));
    if (controller) controller.abort();
    controller = new AbortController();
    say(t.loading);
    fetch(cfg.urls.geojson + "?" + params.toString(), {
      signal: controller.signal, credentials: "same-origin", headers: { Accept: "application/geo+json" },
    }).then(function (response) {
      const type = response.headers.get("Content-Type") || "";
      if (response.redirected || response.status === 401 || type.indexOf("json") < 0) throw new Error("signed_out");
      if (!response.ok) throw new Error("load_error");
      return response.json();
    }).then(function (data) {
      byId.clear();
      parcels.clearLayers();
      parcels.addData(data);
      loaded = { bounds: L.latLngBounds([bbox[1], bbox[0]], [bbox[3], bbox[2]]), zoom: zoom, filters: filters };
      const n = data.features.length;
      lastCount = n ? t.shown.replace("{n}", n) : (cfg.extent ? t.none_shown : t.no_parcels);
      say(lastCount);
      // Leaflet's canvas redraws on the next animation frame; mark the draw done after it.
      requestAnimationFrame(function () {
        draws += 1;
        document.body.dataset.mapDraws = String(draws);
        document.body.dataset.mapReady = "1";
        openPending();
      });
    }).catch(function (error) {
      if (error.name === "AbortError") return;
      say(error.message === "signed_out" ? t.signed_out : t.load_error, true);
    });
  }

  let moveTimer = null;
  map.on("moveend", function () {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(function () { load(false); }, 120);
  });

  // --- popup ---------------------------------------------------------------------------------
  // On a phone the popup scrolls inside the map rather than growing past it.
  const popup = L.popup({
    // Clear of the zoom buttons and the folded legend at the top of the map.
    maxWidth: 300, minWidth: 220, autoPanPaddingTopLeft: [12, 64], autoPanPaddingBottomRight: [12, 12],
    maxHeight: Math.max(200, Math.min(420, root.clientHeight - 90)),
  });

  function select(id) {
    const previous = byId.get(selectedId);
    selectedId = id;
    if (previous) parcels.resetStyle(previous);
    const layer = byId.get(id);
    if (layer) { parcels.resetStyle(layer); layer.bringToFront(); }
  }

  // The popup opens once its content is there, so that Leaflet pans the map to fit it whole; the
  // parcel's highlight answers the click at once.
  let popupRequest = 0;
  function openParcel(id, latlng) {
    select(id);
    const request = ++popupRequest;
    say(t.popup_loading);
    fetch(cfg.urls.popup.replace("{id}", String(id)), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error(response.redirected ? "signed_out" : "popup_error");
        return response.text();
      })
      .then(function (html) {
        if (request !== popupRequest) return;
        say(loaded ? lastCount : "");
        popup.setLatLng(latlng).setContent(html).openOn(map);
      })
      .catch(function (error) {
        if (request !== popupRequest) return;
        say(t[error.message] || t.popup_error, true);
      });
  }

  map.on("popupclose", function () { popupRequest += 1; select(null); });

  function openPending() {
    if (!pending) return;
    const hit = pending;
    pending = null;
    const layer = byId.get(hit.id);
    const at = layer ? layer.getCenter() : L.latLng(hit.centre[1], hit.centre[0]);
    openParcel(hit.id, at);
  }

  // --- search --------------------------------------------------------------------------------
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function goTo(hit) {
    if (!hit.bbox) {
      openParcel(hit.id, map.getCenter());
      return;
    }
    pending = hit;
    const [minx, miny, maxx, maxy] = hit.bbox;
    map.fitBounds([[miny, minx], [maxy, maxx]], { maxZoom: 20, padding: [40, 40] });
  }

  function showHits(data) {
    hitsBox.hidden = false;
    hitsBox.innerHTML = "";
    const head = document.createElement("p");
    head.className = "map-hits-head";
    head.textContent = data.hits.length ? t.hits.replace("{n}", data.hits.length) : t.no_hits;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "link";
    close.textContent = t.close;
    close.addEventListener("click", function () { hitsBox.hidden = true; });
    head.appendChild(close);
    hitsBox.appendChild(head);
    if (!data.hits.length) return;
    const list = document.createElement("ul");
    for (const hit of data.hits) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "map-hit";
      button.dataset.parcelId = hit.id;
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = cfg.colours[hit.status];
      button.appendChild(swatch);
      const text = document.createElement("span");
      text.textContent = hit.label + (hit.names.length ? " — " + hit.names.join(", ") : "") +
        " · " + hit.status_label + (hit.bbox ? "" : " (" + t.no_geometry + ")");
      button.appendChild(text);
      button.addEventListener("click", function () { goTo(hit); });
      item.appendChild(button);
      list.appendChild(item);
    }
    hitsBox.appendChild(list);
    if (data.hits.length >= 20) {
      const more = document.createElement("p");
      more.className = "muted small";
      more.textContent = t.hits_max;
      hitsBox.appendChild(more);
    }
  }

  function search(term) {
    if (!term) { hitsBox.hidden = true; return; }
    hitsBox.hidden = false;
    hitsBox.textContent = t.searching;
    fetch(cfg.urls.search + "?" + new URLSearchParams({ q: term }).toString(), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error(response.redirected ? "signed_out" : "load_error");
        return response.json();
      })
      .then(function (data) {
        showHits(data);
        if (data.hits.length === 1) goTo(data.hits[0]);
      })
      .catch(function (error) { hitsBox.textContent = t[error.message] || t.load_error; });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      search(form.elements.q.value.trim());
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "q") return;
      if (event.target.name === "colour") {
        mode = form.elements.colour.value === "risk" ? "risk" : "status";
        showMode();
      }
      // Keep the filters and the colouring in the address, so a reload or a shared link shows
      // the same map.
      const url = new URL(window.location.href);
      for (const name of ["status", "ward", "land_use"]) {
        const value = form.elements[name].value;
        if (value) url.searchParams.set(name, value); else url.searchParams.delete(name);
      }
      if (mode === "risk") url.searchParams.set("colour", "risk"); else url.searchParams.delete("colour");
      window.history.replaceState(null, "", url.toString());
      load(true);
    });
    const initial = form.elements.q.value.trim();
    if (initial) search(initial);
  }

  window.clearanceMap = {
    map: map, parcels: parcels, byId: byId, colours: cfg.colours, riskColours: cfg.riskColours,
    mode: function () { return mode; },
  };
  load(true);
})();
