// Show the product card whose [start_s, end_s) window holds the looping video's time.
(function () {
  var video = document.getElementById("live-video");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".on-air-card"));
  if (!video || !cards.length) return;
  function update() {
    var t = video.currentTime;
    cards.forEach(function (card) {
      card.hidden = !(t >= parseFloat(card.dataset.start) && t < parseFloat(card.dataset.end));
    });
  }
  video.addEventListener("timeupdate", update);
  update();
})();
