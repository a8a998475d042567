// Preview map of a parcel import: the parcels read from the file, coloured by what the import
// will do to them (new, updated, unchanged), outlined in red when a problem names them.
(function () {
  "use strict";
  var holder = document.getElementById("import-map");
  var source = document.getElementById("import-data");
  if (!holder || !source || !window.L) return;
  var data = JSON.parse(source.textContent);
  var colours = { create: "#2e7d32", update: "#ef6c00", unchanged: "#9e9e9e" };
  var map = L.map(holder, { preferCanvas: true, attributionControl: false });
  var layer = L.geoJSON(data, {
    style: function (feature) {
      var p = feature.properties;
      return {
        color: p.flagged ? "#c62828" : "#37474f",
        weight: p.flagged ? 2 : 0.6,
        fillColor: colours[p.action] || "#9e9e9e",
        fillOpacity: 0.55,
      };
    },
    onEachFeature: function (feature, shape) {
      shape.bindTooltip(feature.properties.label + " · " + feature.properties.area + " m²");
    },
  }).addTo(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  else map.setView([21.03, 105.85], 14);
  document.body.dataset.importMapReady = "1";
})();
