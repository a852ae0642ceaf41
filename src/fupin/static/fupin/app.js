// Behaviour the pages share, bound here rather than in the markup (the Content-Security-Policy
// allows no inline script): a button with data-print prints the page.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) {
    event.preventDefault();
    window.print();
  }
});
