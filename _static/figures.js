/* Click to enlarge. Every figure image of a page becomes a link to the image itself,
   so that it opens full size even without this script, or in a new tab with
   Ctrl/Cmd-click; a plain click, tap or Enter shows it in an overlay instead, fitted to
   the screen, and a click, tap, Enter or Space on it there switches to its full
   resolution (up to twice its size on the page). Escape, the close button or a click
   beside the image closes the overlay and gives the focus back to the figure. */
(function () {
  "use strict";

  var overlay = null;
  var opener = null;

  function buildOverlay() {
    var dialog = document.createElement("dialog");
    dialog.className = "figure-zoom-dialog";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "figure-zoom-close";
    close.setAttribute("aria-label", "Close the enlarged figure");
    close.textContent = "\u00d7";
    var frame = document.createElement("div");
    frame.className = "figure-zoom-frame";
    var picture = document.createElement("img");
    picture.tabIndex = 0;
    picture.setAttribute("role", "button");
    picture.setAttribute("aria-pressed", "false");
    var hint = document.createElement("p");
    hint.className = "figure-zoom-hint";
    hint.textContent =
      "Click or tap the image to switch between fitted and full resolution.";
    var caption = document.createElement("p");
    caption.className = "figure-zoom-caption";
    frame.appendChild(picture);
    dialog.appendChild(close);
    dialog.appendChild(frame);
    dialog.appendChild(hint);
    dialog.appendChild(caption);
    document.body.appendChild(dialog);

    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog || event.target === frame) {
        dialog.close();
      }
    });
    function toggle() {
      var full = dialog.classList.toggle("figure-zoom-full");
      picture.setAttribute("aria-pressed", full ? "true" : "false");
    }
    picture.addEventListener("click", toggle);
    picture.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        toggle();
      }
    });
    dialog.addEventListener("close", function () {
      dialog.classList.remove("figure-zoom-full");
      picture.setAttribute("aria-pressed", "false");
      if (opener) {
        opener.focus();
      }
    });
    return { dialog: dialog, picture: picture, caption: caption };
  }

  // "Fig. 3 The caption.", without the caption's "#" permalink.
  function captionOf(image) {
    var figure = image.closest("figure");
    var figcaption = figure ? figure.querySelector("figcaption") : null;
    if (!figcaption) {
      return "";
    }
    var parts = figcaption.querySelectorAll(".caption-number, .caption-text");
    var text = figcaption.textContent;
    if (parts.length) {
      text = Array.prototype.map.call(parts, function (part) {
        return part.textContent;
      }).join("");
    }
    return text.trim();
  }

  function show(link, image) {
    if (!overlay) {
      overlay = buildOverlay();
    }
    opener = link;
    overlay.picture.src = link.href;
    overlay.picture.alt = image.alt;
    overlay.picture.setAttribute("aria-label",
                                 "Full resolution: " + (image.alt || "the figure"));
    overlay.dialog.setAttribute("aria-label", image.alt || "Enlarged figure");
    overlay.caption.textContent = captionOf(image);
    overlay.dialog.showModal();
  }

  function enhance() {
    var images = document.querySelectorAll("main figure img, article figure img");
    Array.prototype.forEach.call(images, function (image) {
      if (!image.getAttribute("src")) {
        return;
      }
      // Sphinx links an image shown at a set width to its file ("image-reference"):
      // that link is taken over; an image that links anywhere else is left alone.
      var link = image.closest("a");
      if (link && !link.classList.contains("image-reference")) {
        return;
      }
      if (!link) {
        link = document.createElement("a");
        link.href = image.getAttribute("src");
        image.parentNode.insertBefore(link, image);
        link.appendChild(image);
      }
      link.classList.add("figure-zoom");
      link.title = "Enlarge the figure";
      link.setAttribute("aria-label", "Enlarge the figure: " + (image.alt || ""));
      link.addEventListener("click", function (event) {
        var modified = event.ctrlKey || event.metaKey || event.shiftKey || event.altKey;
        var plain = event.button === 0 && !modified;
        if (plain && typeof HTMLDialogElement === "function") {
          event.preventDefault();
          show(link, image);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
