// Starts ReDoc on the admin API's schema (a file, not an inline script: the CSP forbids those).
window.addEventListener("load", function () {
  Redoc.init("/openapi.json", { hideDownloadButton: false }, document.getElementById("redoc"));
});
