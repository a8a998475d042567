// Draws a parcel's GeoJSON outline into its <svg> (no map library needed for one shape).
(function () {
  document.querySelectorAll("svg[data-geojson]").forEach(function (svg) {
    var geom = JSON.parse(svg.dataset.geojson);
    var polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
    var pts = [];
    polys.forEach(function (p) { p.forEach(function (ring) { ring.forEach(function (c) { pts.push(c); }); }); });
    var xs = pts.map(function (c) { return c[0]; }), ys = pts.map(function (c) { return c[1]; });
    var minx = Math.min.apply(null, xs), maxx = Math.max.apply(null, xs);
    var miny = Math.min.apply(null, ys), maxy = Math.max.apply(null, ys);
    var kx = Math.cos((miny + maxy) / 2 * Math.PI / 180);  // metres per degree differ in x and y
    var w = (maxx - minx) * kx, h = maxy - miny, s = 90 / Math.max(w, h);
    var d = "";
    polys.forEach(function (p) {
      p.forEach(function (ring) {
        ring.forEach(function (c, i) {
          var x = 5 + (c[0] - minx) * kx * s, y = 5 + (maxy - c[1]) * s;
          d += (i ? "L" : "M") + x.toFixed(2) + " " + y.toFixed(2);
        });
        d += "Z";
      });
    });
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d);
    svg.appendChild(path);
  });
})();
