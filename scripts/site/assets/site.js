// The course site's one script: draw each chapter's interactive figures with the bundled plotly.js (assets/plotly.min.js).
// Each figure is a <figure class="plotly-figure"> holding its spec as JSON in a <script type="application/json">.
// Figures are drawn when they come near the viewport, so a chapter with many figures opens quickly.
(function () {
  'use strict';
  function draw(fig) {
    if (fig.dataset.drawn) return;
    fig.dataset.drawn = '1';
    var specEl = fig.querySelector('script.plotly-spec');
    try {
      var spec = JSON.parse(specEl.textContent);
      var div = document.createElement('div');
      div.className = 'plotly-target';
      fig.appendChild(div);
      window.Plotly.newPlot(div, spec.data, spec.layout || {}, { responsive: true, displaylogo: false })
        .then(function () { fig.classList.add('drawn'); })
        .catch(function (e) { fail(fig, e); });
    } catch (e) {
      fail(fig, e);
    }
  }
  function fail(fig, e) {
    console.error('site: figure ' + fig.id + ' could not be drawn', e);
    var p = document.createElement('p');
    p.className = 'figure-error';
    p.textContent = 'This figure could not be drawn: ' + (e && e.message ? e.message : e);
    fig.appendChild(p);
  }
  function start() {
    var figs = Array.prototype.slice.call(document.querySelectorAll('figure.plotly-figure'));
    if (!window.Plotly) {
      figs.forEach(function (f) { fail(f, new Error('plotly.js did not load (assets/plotly.min.js)')); });
      return;
    }
    // for print and for tests: draw everything on request
    window.seqpeDrawAllFigures = function () { figs.forEach(draw); };
    if (!('IntersectionObserver' in window)) { figs.forEach(draw); return; }
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) { if (en.isIntersecting) { io.unobserve(en.target); draw(en.target); } });
    }, { rootMargin: '600px 0px' });
    figs.forEach(function (f) { io.observe(f); });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
