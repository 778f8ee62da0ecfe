// hoso web: the drop zone for returned workbooks, and confirmations. Everything works
// without this file; it only makes dropping files onto the page possible.
(function () {
  "use strict";
  function names(input, out) {
    out.textContent = Array.from(input.files).map(function (f) { return f.name; }).join(", ");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.getElementById("drop-zone");
    var input = document.getElementById("bieu");
    var chosen = document.getElementById("chosen");
    if (zone && input) {
      input.addEventListener("change", function () { names(input, chosen); });
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (type) {
        zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("over"); });
      });
      zone.addEventListener("drop", function (e) {
        if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
        input.files = e.dataTransfer.files;
        names(input, chosen);
        input.form.requestSubmit();
      });
    }
    // A form sent back with problems opens on the first of them.
    var bad = document.querySelector("[aria-invalid='true']");
    if (bad) { bad.scrollIntoView({ block: "center" }); }
    document.querySelectorAll("form.confirm").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.dataset.confirm || "Chắc chắn?")) { e.preventDefault(); }
      });
    });
  });
})();
