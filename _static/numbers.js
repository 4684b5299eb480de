/* Where a number comes from: a popover on each number button in the prose.
   The page carries its numbers' provenance as JSON (#fb-numbers); everything from it is
   inserted as text, never as HTML. Hover or keyboard focus shows the popover, a click or
   tap (Enter, Space) keeps it open and puts its links in the tab order, Escape or a click
   elsewhere closes it. */
(function () {
  "use strict";
  var data = document.getElementById("fb-numbers");
  if (!data) return;
  var numbers = JSON.parse(data.textContent);
  // The popover's words in the page's language (sitebuilder.numbers), English by default.
  var words = {
    where: "Where {value} comes from",
    more: "and {count} more rows",
    params: "Depends on your assumptions: ",
    assumptions: "The book's assumption: ",
    all: "This number in the list of all numbers",
    kinds: {}
  };
  var wordsData = document.getElementById("fb-number-words");
  if (wordsData) words = JSON.parse(wordsData.textContent);
  var open = null; // {button, panel, pinned}
  var hideTimer = 0;
  var refocusing = false;
  var count = 0;
  var MAX_ROWS = 6; // a count over a whole table lists the rest in the appendix

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  // `column` in a description is shown as code; the text stays text.
  function described(cls, text) {
    var node = el("span", cls);
    text.split("`").forEach(function (part, i) {
      node.appendChild(i % 2 ? el("code", "", part) : document.createTextNode(part));
    });
    return node;
  }
  function link(href, text) {
    var a = el("a", "", text);
    a.href = href;
    return a;
  }

  function panelFor(button) {
    var info = numbers[button.dataset.fbNum];
    var panel = el("span", "fb-pop");
    panel.id = "fb-pop-" + ++count;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", words.where.replace("{value}", button.textContent));
    panel.appendChild(el("strong", "fb-pop-value", button.textContent));
    panel.appendChild(described("fb-pop-how", info.how));
    if (info.rows.length) {
      var list = el("ul", "fb-pop-rows");
      info.rows.slice(0, MAX_ROWS).forEach(function (row) {
        var item = el("li", "fb-kind-" + (row.kind === "reported" ? "reported" : "estimate"));
        item.appendChild(el("span", "fb-pop-kind", words.kinds[row.kind] || row.kind));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(link(row.data_href, row.table + ": " + row.key));
        item.appendChild(document.createTextNode(", "));
        item.appendChild(row.cite_href ? link(row.cite_href, row.cite) : el("span", "", row.cite));
        // The source's tier: primary (the document itself), press, or secondary (a copy).
        item.appendChild(el("span", "fb-pop-tier fb-tier-" + row.tier, " (" + row.tier + ")"));
        list.appendChild(item);
      });
      if (info.rows.length > MAX_ROWS) {
        list.appendChild(el("li", "", words.more.replace("{count}", info.rows.length - MAX_ROWS)));
      }
      panel.appendChild(list);
    }
    if (info.params.length) {
      var names = info.params.map(function (p) { return p.name + (p.value ? " = " + p.value : ""); });
      panel.appendChild(el("span", "fb-pop-params", words.params + names.join(", ")));
    }
    if (info.assumptions.length) {
      var fixed = info.assumptions.map(function (p) { return p.name + (p.value ? " = " + p.value : ""); });
      panel.appendChild(el("span", "fb-pop-params", words.assumptions + fixed.join(", ")));
    }
    panel.appendChild(link(info.all_href, words.all));
    panel.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    panel.addEventListener("mouseleave", scheduleHide);
    panel.addEventListener("focusout", leaving);
    return panel;
  }

  // Fixed to the viewport, so no positioned or scrolling ancestor (a table) moves or clips
  // it; below the number, or above it when there is no room below.
  function place(button, panel) {
    var rect = button.getBoundingClientRect();
    var view = document.documentElement;
    var width = Math.min(352, view.clientWidth - 16);
    panel.style.width = width + "px";
    panel.style.left = Math.max(8, Math.min(rect.left, view.clientWidth - width - 8)) + "px";
    var height = panel.offsetHeight;
    var below = rect.bottom + 6;
    var top = below + height > view.clientHeight && rect.top - height - 6 > 0 ? rect.top - height - 6 : below;
    panel.style.top = top + "px";
  }

  // A popover shown only as a preview (hover, or keyboard focus passing over the number)
  // adds no tab stops: Tab goes on to the next thing in the page, not through the links of
  // every number on the way. Opened (Enter, Space, a click) its links follow the number.
  function tabbable(panel, yes) {
    panel.querySelectorAll("a").forEach(function (a) {
      if (yes) a.removeAttribute("tabindex");
      else a.setAttribute("tabindex", "-1");
    });
  }

  function show(button, pinned) {
    clearTimeout(hideTimer);
    if (open && open.button === button) {
      if (pinned && !open.pinned) tabbable(open.panel, true);
      open.pinned = open.pinned || pinned;
      return;
    }
    close(false);
    if (!numbers[button.dataset.fbNum]) return;
    var panel = panelFor(button);
    tabbable(panel, pinned);
    button.insertAdjacentElement("afterend", panel);
    place(button, panel);
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", panel.id);
    open = { button: button, panel: panel, pinned: pinned };
  }

  function close(refocus) {
    clearTimeout(hideTimer);
    if (!open) return;
    var button = open.button;
    open.panel.remove();
    button.setAttribute("aria-expanded", "false");
    button.removeAttribute("aria-controls");
    open = null;
    if (refocus) {
      refocusing = true; // returning focus must not reopen it
      button.focus();
      refocusing = false;
    }
  }

  // Keyboard focus moving on past the number and its popover closes it.
  function leaving(event) {
    var next = event.relatedTarget;
    if (!open || open.panel.contains(next) || next === open.button) return;
    if (next || !open.pinned) close(false);
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { if (open && !open.pinned) close(false); }, 300);
  }

  document.querySelectorAll("button.fb-num").forEach(function (button) {
    var info = numbers[button.dataset.fbNum];
    // Buttons written by a notebook cell (the scorecard) learn their marker here.
    if (info) button.classList.add("fb-num-" + info.marker);
    button.addEventListener("click", function () {
      if (open && open.button === button && open.pinned) close(false);
      else show(button, true);
    });
    button.addEventListener("mouseenter", function () { show(button, false); });
    button.addEventListener("mouseleave", scheduleHide);
    button.addEventListener("focus", function () {
      if (!refocusing && button.matches(":focus-visible")) show(button, false);
    });
    button.addEventListener("blur", leaving);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) close(true);
  });
  document.addEventListener("click", function (event) {
    if (open && !open.panel.contains(event.target) && event.target !== open.button) close(false);
  });
  function follow() { if (open) place(open.button, open.panel); }
  window.addEventListener("resize", follow);
  window.addEventListener("scroll", follow, { passive: true, capture: true });
})();
