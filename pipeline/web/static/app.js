// hoso web: the drop zone for returned workbooks, confirmations, the small-screen menu, and
// every failure said in the page (a refused request, a server that stopped, a lost
// connection). Everything works without this file; the failures then show as pages.
(function () {
  "use strict";
  var LOST = "Mất kết nối với hoso web: chương trình đã dừng hoặc máy vừa khởi động lại. " +
    "Chạy lại hoso web (trang tự nối lại, không mất gì đã lưu), rồi làm lại việc vừa bấm.";
  var offline = false;

  function names(input, out) {
    var chosen = Array.from(input.files).map(function (f) { return f.name; });
    out.textContent = chosen.length ? "Đã chọn " + chosen.length + " tệp: " + chosen.join(", ")
      : "Chưa chọn tệp nào.";
  }

  // A message where the clerk is looking: in `place` (the slot of the result) or on top.
  function alertIn(place, title, message) {
    var box = document.createElement("div");
    box.className = "flash flash-loi page-alert";
    box.setAttribute("role", "alert");
    var strong = document.createElement("strong");
    strong.textContent = title;
    box.appendChild(strong);
    box.appendChild(document.createTextNode(" " + message));
    var old = place.querySelector(".page-alert");
    if (old) { old.remove(); }
    place.insertBefore(box, place.firstChild);
    box.scrollIntoView({ block: "center" });
    return box;
  }

  function banner(on) {
    var bar = document.getElementById("connection");
    if (!bar) { return; }
    offline = on;
    bar.hidden = !on;
  }

  // The refused page's words (refused.html: its h1 and first paragraph).
  function refusal(xhr) {
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var h1 = doc.querySelector("h1");
    var p = doc.querySelector("main p");
    return {
      title: h1 ? h1.textContent : "Không làm được (mã " + xhr.status + ")",
      message: p ? p.textContent : "Tải lại trang rồi làm lại."
    };
  }

  function slotOf(elt) {
    var id = elt && elt.getAttribute && elt.getAttribute("hx-target");
    return (id && document.querySelector(id)) || document.querySelector("main");
  }

  document.addEventListener("htmx:responseError", function (e) {
    var said = refusal(e.detail.xhr);
    alertIn(slotOf(e.detail.elt), said.title, said.message);
  });
  document.addEventListener("htmx:sendError", function (e) {
    banner(true);
    // A job's own polling keeps trying: the banner says it, the result slot stays as it was.
    if (e.detail.elt && e.detail.elt.id === "job") { return; }
    alertIn(slotOf(e.detail.elt), "Mất kết nối.", LOST);
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.successful) { banner(false); }
  });

  // A stopped server is noticed before the clerk presses the next button.
  function heartbeat() {
    var url = document.body.dataset.ping;
    if (!url) { return; }
    fetch(url, { cache: "no-store", credentials: "same-origin" }).then(function (r) {
      banner(!r.ok);
    }, function () { banner(true); });
  }

  // Asked on the document, so a list swapped in after a job (the workbooks) asks too.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches && form.matches("form.confirm") &&
        !window.confirm(form.dataset.confirm || "Chắc chắn?")) { e.preventDefault(); }
  });

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
    // A key file chooser says which file was picked (its own text, not the browser's).
    document.querySelectorAll("input.file-input[data-chosen]").forEach(function (field) {
      var said = document.getElementById(field.dataset.chosen);
      var before = said ? said.textContent : "";
      field.addEventListener("change", function () {
        if (said) { said.textContent = field.files.length ? "Đã chọn: " + field.files[0].name : before; }
      });
    });
    // Too large a sending is said here: the server would cut the connection mid-upload.
    var upload = document.getElementById("upload-form");
    if (upload && input) {
      upload.addEventListener("htmx:beforeRequest", function (e) {
        var max = Number(upload.dataset.maxBytes), most = Number(upload.dataset.maxFiles);
        var total = Array.from(input.files).reduce(function (n, f) { return n + f.size; }, 0);
        if (total > max || input.files.length > most) {
          e.preventDefault();
          alertIn(slotOf(upload), "Tệp quá lớn.", upload.dataset.tooLarge);
        }
      });
    }
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (offline) {
          e.preventDefault();
          alertIn(document.querySelector("main"), "Mất kết nối.", LOST);
        }
      });
    });
    // A form sent back with problems opens on the first of them; a page that says what was
    // just done (#said, e.g. «Đã lưu. Còn 3 chỗ…») opens on that, its red fields below.
    var conflict = document.querySelector(".conflict");
    var said = document.getElementById("said");
    var bad = document.querySelector("[aria-invalid='true']");
    if (conflict) { conflict.scrollIntoView({ block: "center" }); }
    else if (said) { said.focus(); }
    else if (bad) { bad.scrollIntoView({ block: "center" }); }
    // The small-screen menu opens and closes; on a wide screen it is always shown.
    var toggle = document.getElementById("menu-toggle");
    var nav = document.getElementById("steps");
    if (toggle && nav) {
      toggle.hidden = false;
      document.documentElement.classList.add("js");
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    window.setInterval(heartbeat, 4000);
  });
})();
