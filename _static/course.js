/* Accessible names and roles that the theme's and docutils' markup lacks, set as each page loads
   (axe-core, run by tests/test_browser.py on every page, finds none of these problems after it).
   Attribute changes only: nothing a sighted reader sees changes. */
(function () {
  "use strict";

  // The search buttons say "Search" and show the Ctrl+K shortcut, but their aria-label says only
  // "Search": a speech-input user saying what they see would not match it. Named by their text,
  // with the shortcut (a visual hint) left out of the name.
  function nameSearchButtons() {
    document.querySelectorAll("button.search-button-field").forEach(function (button) {
      button.removeAttribute("aria-label");
      button.querySelectorAll(".search-button__kbd-shortcut").forEach(function (shortcut) {
        shortcut.setAttribute("aria-hidden", "true");
      });
    });
  }

  // The colour-mode button holds three icons, each titled ("Light", "Dark", "System Settings"),
  // whatever the mode; its name says the mode in force instead, and the icons are decoration.
  // Font Awesome may already have replaced the <i> icons with titled <svg>s, or may do so later.
  function nameThemeButtons() {
    var mode = document.documentElement.dataset.mode || "auto";
    var modeName = { light: "light", dark: "dark", auto: "as the system prefers" }[mode] || mode;
    document.querySelectorAll("button.theme-switch-button").forEach(function (button) {
      button.setAttribute("aria-label", "Colour mode: " + modeName + " (press to change)");
      button.querySelectorAll(".theme-switch").forEach(function (icon) {
        icon.removeAttribute("title");
        icon.removeAttribute("role");
        icon.removeAttribute("aria-labelledby");
        icon.setAttribute("aria-hidden", "true");
        icon.querySelectorAll("title").forEach(function (title) { title.remove(); });
      });
    });
  }

  // The sidebar's expand/collapse arrows are <summary> elements holding only an icon.
  function nameSidebarToggles() {
    document.querySelectorAll("nav details > summary").forEach(function (summary) {
      if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
      var link = summary.parentElement.previousElementSibling;
      var section = link ? link.textContent.trim() : "";
      summary.setAttribute("aria-label", section ? "Pages in " + section : "More pages");
    });
  }

  // docutils marks each entry of a bibliography list as doc-biblioentry, a role that DPUB-ARIA 1.1
  // deprecated and that may not stand inside role="list": its entries are list items.
  function fixBibliographyRoles() {
    document.querySelectorAll('[role="list"] > [role="doc-biblioentry"]').forEach(function (entry) {
      entry.setAttribute("role", "listitem");
    });
  }

  // The book's title link and search button sit in the left sidebar outside any landmark, where
  // a screen reader's landmark navigation never reaches them: the sidebar becomes one.
  function markSidebarAsLandmark() {
    var sidebar = document.getElementById("pst-primary-sidebar");
    if (sidebar && !sidebar.hasAttribute("role")) {
      sidebar.setAttribute("role", "complementary");
      sidebar.setAttribute("aria-label", "Course contents and search");
    }
  }

  function fixAll() {
    markSidebarAsLandmark();
    nameSearchButtons();
    nameThemeButtons();
    nameSidebarToggles();
    fixBibliographyRoles();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fixAll);
  } else {
    fixAll();
  }
  // Font Awesome swaps icons in after load, and the theme switches mode on a click.
  window.addEventListener("load", nameThemeButtons);
  new MutationObserver(nameThemeButtons).observe(document.documentElement, { attributes: true, attributeFilter: ["data-mode"] });
})();
