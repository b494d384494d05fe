// The drawing pad of a written question: draw with a finger, pen or mouse, then "Use my
// drawing" puts a PNG of it into the photo field, so it is sent (and checked) like a photo.
// Without JavaScript, or with a keyboard, the photo field works on its own. The status
// messages come from the pad's data-say-* attributes, in the reader's language.
(function () {
  "use strict";

  function setUp(pad) {
    var field = pad.closest("[data-photo-field]");
    var input = field && field.querySelector('input[type="file"]');
    var canvas = pad.querySelector("canvas");
    var status = pad.querySelector("[data-drawing-status]");
    if (!input || !canvas || !canvas.getContext || typeof DataTransfer === "undefined") {
      return; // the photo field alone
    }
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    function clear() {
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) {
        return;
      }
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    function stop() {
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);

    pad.querySelector("[data-drawing-clear]").addEventListener("click", function () {
      clear();
      status.textContent = pad.dataset.sayCleared || "Cleared.";
    });
    pad.querySelector("[data-drawing-use]").addEventListener("click", function () {
      if (!drawn) {
        status.textContent = pad.dataset.sayEmpty || "Draw something first.";
        return;
      }
      // Encoded at once (toDataURL), not with toBlob: Chromium runs toBlob's encoder in idle
      // time, so on a busy device the drawing could still be missing when the form is sent.
      var file;
      try {
        var encoded = atob(canvas.toDataURL("image/png").split(",")[1]);
        var bytes = new Uint8Array(encoded.length);
        for (var i = 0; i < encoded.length; i += 1) {
          bytes[i] = encoded.charCodeAt(i);
        }
        file = new File([bytes], "drawing.png", { type: "image/png" });
      } catch (error) {
        status.textContent = pad.dataset.sayFailed || "The drawing could not be saved; take a photo instead.";
        return;
      }
      var transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      status.textContent = pad.dataset.sayReady || "Your drawing will be sent with your answer.";
    });

    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1a1a1a";
    clear();
    pad.hidden = false;
  }

  document.querySelectorAll("[data-drawing-pad]").forEach(setUp);
})();
