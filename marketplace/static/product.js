// A product page follows the chosen option: its price in the headline, its picture first.
(function () {
  var select = document.getElementById("variant_id");
  if (!select) return;
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    var price = document.getElementById("product-price");
    if (price && option.dataset.price) price.textContent = option.dataset.price;
    var gallery = document.getElementById("gallery");
    var picture = gallery && gallery.querySelector('img[data-picture="' + option.dataset.picture + '"]');
    if (picture) gallery.insertBefore(picture, gallery.firstChild);
  });
})();
