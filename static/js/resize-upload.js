// Photos are made smaller in the browser before they are sent: a phone's camera photo (5-12 MB,
// 4000x3000) becomes a JPEG of a few hundred kilobytes, at most data-resize-image pixels on its
// long side, so it uploads in seconds on a slow network. The server still checks and limits
// whatever arrives; a browser that cannot do this (no canvas.toBlob, no DataTransfer) sends the
// file as chosen, and so does any failure here.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[type=file][data-resize-image]");
  if (!inputs.length || !window.FileReader || !window.Promise || !window.DataTransfer) { return; }
  if (!document.createElement("canvas").toBlob) { return; }
  try { new DataTransfer(); } catch (error) { return; } // Safari before 14.1 has no constructor
  var RESIZABLE = /^image\/(jpeg|png|webp)$/;

  // A data: URL, not a blob: one, because the Content-Security-Policy allows images only from
  // the site and data:. An <img> applies the photo's EXIF orientation, so the copy is upright.
  function decode(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onerror = reject;
      reader.onload = function () {
        var image = new Image();
        image.onload = function () { resolve(image); };
        image.onerror = reject;
        image.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  function smaller(file, maxSide) {
    return decode(file).then(function (image) {
      var scale = maxSide / Math.max(image.naturalWidth, image.naturalHeight);
      if (!(scale < 1)) { return null; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(image.naturalWidth * scale);
      canvas.height = Math.round(image.naturalHeight * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // transparent areas turn white, as the server turns them
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    }).then(function (blob) {
      if (!blob || blob.size >= file.size) { return null; }
      var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
      return new File([blob], name, { type: "image/jpeg", lastModified: Date.now() });
    }).catch(function () { return null; });
  }

  Array.prototype.forEach.call(inputs, function (input) {
    var maxSide = parseInt(input.getAttribute("data-resize-image"), 10);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || !RESIZABLE.test(file.type) || !(maxSide > 0)) { return; }
      var job = smaller(file, maxSide).then(function (replacement) {
        // Only if it is still the chosen file (the user may have picked another meanwhile).
        if (replacement && input.files[0] === file) {
          var transfer = new DataTransfer();
          transfer.items.add(replacement);
          input.files = transfer.files;
        }
      });
      input.resizing = job;
      job.then(function () { if (input.resizing === job) { input.resizing = null; } });
    });
  });

  // A form sent while a photo is still being made smaller waits for it (a second or two).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var waiting = [];
    Array.prototype.forEach.call(form.querySelectorAll("input[data-resize-image]"), function (input) {
      if (input.resizing) { waiting.push(input.resizing); }
    });
    if (!waiting.length) { return; }
    event.preventDefault();
    if (form.resizeWait) { return; } // already waiting: one submission, not two
    var submitter = event.submitter;
    form.resizeWait = Promise.all(waiting).then(function () {
      form.resizeWait = null;
      if (form.requestSubmit) {
        if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      } else {
        form.submit();
      }
    });
  });
})();
