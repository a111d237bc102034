// A product page follows the chosen option: its price in the headline, its picture first,
// its own clip in the player (a colourway has a clip of its own).
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
    var number = option.dataset.video && option.dataset.video !== "0" ? option.dataset.video : "1";  // 0: the first plays
    var clip = gallery && gallery.querySelector('video[data-video="' + number + '"]');
    if (!clip) return;
    gallery.querySelectorAll("video[data-video]").forEach(function (video) {
      var shown = video === clip;
      video.hidden = !shown;
      if (shown) video.id = "product-video"; else { video.removeAttribute("id"); video.pause(); }
    });
  });
})();
