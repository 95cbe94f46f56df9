// The course site's only script, inlined in every page by site/build.py: nothing to fetch, no kernel.
(function () {
  // The table of contents: open on a wide screen (and without JavaScript), folded on a narrow one.
  var toc = document.querySelector("nav details");
  var narrow = window.matchMedia("(max-width: 800px)");
  function fit() { if (toc) { toc.open = !narrow.matches; } }
  fit();
  narrow.addEventListener("change", fit);

  // A lecture's demo: each preset button shows that preset's figure and readout, drawn at build time.
  document.querySelectorAll("figure.demo").forEach(function (demo) {
    var img = demo.querySelector("img"), readout = demo.querySelector(".readout");
    var row = demo.querySelector(".presets");
    row.hidden = false;
    row.addEventListener("click", function (event) {
      var pressed = event.target.closest("button");
      if (!pressed) { return; }
      img.src = pressed.dataset.src;
      img.alt = pressed.dataset.alt;
      readout.textContent = pressed.dataset.text;
      row.querySelectorAll("button").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button === pressed));
      });
    });
  });
})();
