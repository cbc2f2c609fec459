// seqpe-plotly: draws `application/vnd.plotly.v1+json` outputs in the classic Notebook (6.x) with the plotly.js copied
// next to this file (node_modules/plotly.js-dist-min, by scripts/nbextension/install.sh), so it works offline.
//
// The chapters send each figure as one bundle: plotly JSON + PNG + text. The Notebook shows the first type in
// OutputArea.display_order that has a renderer; we register ours in front, so a figure is drawn interactively where this
// extension is loaded and as the PNG everywhere else (GitHub, nbconvert, a Notebook without it).
//
// Registered as a *safe* type: a plotly spec is data (plotly.js sanitises the few HTML tags it allows in labels), so it
// is drawn in untrusted notebooks too, such as a chapter just cloned from git (trust is per user and per machine).
// Plain ES5 + AMD, because the Notebook loads extensions with require.js and runs them in whatever browser opens it.
define(['base/js/namespace', 'notebook/js/outputarea', 'require'], function (Jupyter, outputarea, localRequire) {
  'use strict';
  var MIME = 'application/vnd.plotly.v1+json';
  var OutputArea = outputarea.OutputArea;
  var plotlyPromise = null;

  // plotly.js 3's bundle does not call define(): it sets window.Plotly (and module.exports under CommonJS). So require.js
  // only loads the script and hands back undefined; take the global. (plotly.js 2 defined an AMD module: accept that too.)
  function loadPlotly() {
    if (!plotlyPromise) {
      plotlyPromise = new Promise(function (resolve, reject) {
        localRequire(['./plotly.min'], function (mod) {
          var P = (mod && mod.newPlot) ? mod : window.Plotly;
          if (P && P.newPlot) resolve(P);
          else reject(new Error('plotly.min.js loaded but defined no Plotly.newPlot'));
        }, reject);
      });
    }
    return plotlyPromise;
  }

  function showError(div, what, err) {
    console.error('seqpe-plotly: ' + what, err);
    div.textContent = 'seqpe-plotly: ' + what + ': ' + (err && err.message ? err.message : String(err));
    div.style.color = '#b00';
  }

  // OutputArea.append_map entry: called with the output area as `this`, like the Notebook's own append_png & co.
  function appendPlotly(spec, md, element) {
    var toinsert = this.create_output_subarea(md, 'output_seqpe_plotly', MIME);
    var div = document.createElement('div');
    div.className = 'seqpe-plotly';
    toinsert.append(div);
    element.append(toinsert);
    if (!spec || !Array.isArray(spec.data)) {
      showError(div, 'not a plotly figure', new Error('expected {data: [...], layout: {...}}, got ' + typeof spec));
      return toinsert;
    }
    // copies: plotly writes into the objects it is given, and these are the notebook's stored output
    var data = JSON.parse(JSON.stringify(spec.data));
    var layout = JSON.parse(JSON.stringify(spec.layout || {}));
    var config = { responsive: true, displaylogo: false };
    loadPlotly()
      .then(function (Plotly) { return Plotly.newPlot(div, data, layout, config); })
      .catch(function (err) { showError(div, 'could not draw the figure', err); });
    return toinsert;
  }

  // Outputs drawn before this extension was loaded (the notebook and the extensions load concurrently) show their PNG;
  // draw those again now that the plotly renderer exists. Clearing resets the area's trust to true, so restore it, and
  // keep the notebook's dirty flag as it was (redrawing changes no output).
  function redrawExisting(notebook) {
    var wasDirty = notebook.dirty;
    notebook.get_cells().forEach(function (cell) {
      var area = cell.output_area;
      if (!area || !area.outputs) return;
      var has = area.outputs.some(function (o) { return o.data && o.data[MIME] !== undefined; });
      if (!has || area.element.find('.seqpe-plotly').length > 0) return;
      var outputs = area.toJSON();
      var trusted = area.trusted;
      area.clear_output(false, true);
      area.trusted = trusted;
      area.fromJSON(outputs, {});
    });
    if (!wasDirty) notebook.set_dirty(false);
  }

  function load_ipython_extension() {
    if (OutputArea.display_order.indexOf(MIME) < 0) {
      OutputArea.prototype.register_mime_type(MIME, appendPlotly, { safe: true, index: 0 });
    }
    var nb = Jupyter.notebook;
    if (nb && nb._fully_loaded) redrawExisting(nb);
    else if (nb && nb.events) nb.events.one('notebook_loaded.Notebook', function () { redrawExisting(nb); });
    console.log('seqpe-plotly: renderer for ' + MIME + ' registered');
  }

  return { load_ipython_extension: load_ipython_extension };
});
