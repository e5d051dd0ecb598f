// Small behaviours every page may use, declared in the markup so that no page needs an inline
// script or event handler (the Content-Security-Policy allows neither):
//   <button data-print>          prints the page
//   <select data-autosubmit>     submits its form when changed
//   <form data-confirm="text">   asks before submitting
//   <a data-reload>              reloads the page (the offline page's "try again")
//   <form data-forget-pages>     drops the pages the app kept on the phone (logout)
// It also registers the app's service worker, named by <link rel="manifest" data-worker>, and
// asks it to keep the pages named by that link's data-keep for the account in data-owner.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
    if (event.target.closest("[data-reload]")) {
      event.preventDefault();
      window.location.reload();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
    if (!event.defaultPrevented && event.target.hasAttribute("data-forget-pages")) {
      var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (worker) worker.postMessage("forget-pages");
    }
  });

  var manifest = document.querySelector("link[rel=manifest][data-worker]");
  if (manifest && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(manifest.dataset.worker, { scope: "/" }).catch(function () {});
    // A logged-in worker's phone keeps the pages named in data-keep (the report form), so they
    // open with no signal before they were ever visited. The worker decides whether they are
    // due (missing, older than an hour, or kept for another account).
    if (manifest.dataset.keep && navigator.onLine) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (!registration.active) return;
        registration.active.postMessage({
          keep: manifest.dataset.keep.split(" "),
          owner: manifest.dataset.owner || ""
        });
      }).catch(function () {});
    }
  }
})();
