// Small behaviours every page may use, declared in the markup so that no page needs an inline
// script or event handler (the Content-Security-Policy allows neither):
//   <button data-print>          prints the page
//   <select data-autosubmit>     submits its form when changed
//   <form data-confirm="text">   asks before submitting
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
