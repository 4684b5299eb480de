/* The text under each search result (search.html): the page's article, not its code cells,
   its contents lists or its buttons, with table cells and paragraphs kept apart. Sphinx's
   own reader takes all the text of the page's main block, run together. */
window.addEventListener("DOMContentLoaded", function () {
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  var LEFT_OUT = [
    ".headerlink", "script", "style", ".cell_input", "details.hide", "#jb-print-docs-body",
    ".notebook-download", ".fb-print-sources", "nav", "button:not(.fb-num)", ".bd-header-article"
  ].join(",");
  var APART = "p, li, td, th, dt, dd, h1, h2, h3, h4, h5, h6, caption, figcaption, pre, br";
  Search.htmlToText = function (htmlString, anchor) {
    var page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(LEFT_OUT).forEach(function (el) { el.remove(); });
    page.querySelectorAll(APART).forEach(function (el) { el.after(" "); });
    var main = page.querySelector('[role="main"] article') || page.querySelector('[role="main"]');
    var part = anchor && main ? main.querySelector(anchor) : null;
    return ((part || main || {}).textContent || "").replace(/\s+/g, " ").trim();
  };
});
