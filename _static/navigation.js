/* A link followed inside the chapter list or the page contents that a phone shows as a
   dialog (the theme's sidebar modals) closes the dialog, so the reader sees where the link
   led: the theme leaves it open over the page when the link is to a place on the same page.
   Listening on the document needs no element to exist yet. */
document.addEventListener("click", function (event) {
  var link = event.target instanceof Element ? event.target.closest("dialog a[href]") : null;
  var dialog = link ? link.closest("dialog") : null;
  if (dialog && dialog.open && /-sidebar-modal$/.test(dialog.id)) dialog.close();
});
