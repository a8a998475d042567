// Progress of a print job (in hàng loạt): poll its JSON every second and update the bar, the
// stage, the error and the download link; stop when the job is finished. Without JavaScript
// the page refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-print-job]");
  if (!box) { return; }
  var url = box.getAttribute("data-print-job");
  var bar = box.querySelector("progress");
  function field(name) { return box.querySelector('[data-field="' + name + '"]'); }
  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + " %";
    field("stage").textContent = state.stage;
    field("percent").textContent = state.percent;
    var error = field("error");
    error.textContent = state.error || "";
    error.hidden = !state.error;
    var download = field("download");
    download.hidden = !state.ready;
    if (state.download_url) { download.querySelector("a").href = state.download_url; }
  }
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (!state.finished) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });  // a dropped network: keep trying, slower
  }
  window.setTimeout(poll, 1000);
}());
