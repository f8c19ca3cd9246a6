// bertlab dashboard: the studies page, a study page and a trial page, drawn
// from the JSON API under /api/ (documented in /api/openapi.json) and kept
// current by polling; or, in a file written by `bertlab report`, one study
// page drawn from the data embedded as window.BERTLAB_REPORT, with no
// requests at all. Plots are plotly.js, served by bertlab itself.
(function () {
  'use strict';

  const REPORT = window.BERTLAB_REPORT || null;
  const POLL_MS = 2000;
  const STATE_COLORS = { COMPLETE: '#1a7f37', PRUNED: '#bf8700', FAILED: '#cf222e', RUNNING: '#0969da' };
  const PLOT_CONFIG = { displaylogo: false, responsive: true };
  const app = document.getElementById('app');
  const crumbs = document.getElementById('crumbs');
  const statusLine = document.getElementById('status');

  // ---- helpers ------------------------------------------------------------

  function esc(value) {
    return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  function fmt(value) {
    if (value === null || value === undefined) return '–';
    if (typeof value === 'number') {
      if (Number.isInteger(value)) return String(value);
      const magnitude = Math.abs(value);
      if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
      return String(Number(value.toPrecision(5)));
    }
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  async function api(path) {
    const response = await fetch(path, { cache: 'no-store' });
    const body = await response.json();
    if (!response.ok) {
      const error = new Error(body.error || response.status + ' ' + response.statusText);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  const studyUrl = (name) => '/studies/' + encodeURIComponent(name);
  const trialUrl = (name, number) => studyUrl(name) + '/trials/' + number;
  const studyApi = (name) => '/api/studies/' + encodeURIComponent(name);

  function setStatus(text, isError) {
    if (!statusLine) return;
    statusLine.textContent = text;
    statusLine.className = isError ? 'error' : '';
  }

  // Calls `refresh` now and every POLL_MS; a failed poll says so and retries.
  function poll(refresh) {
    const tick = async () => {
      try {
        await refresh();
        setStatus('updated ' + new Date().toLocaleTimeString());
      } catch (error) {
        // A 4xx will not change by asking again (no such study or trial).
        if (error.status >= 400 && error.status < 500) return showError(error);
        setStatus('cannot reach the dashboard: ' + error.message + ' (retrying)', true);
      }
      setTimeout(tick, POLL_MS);
    };
    return tick();
  }

  function showError(error) {
    app.innerHTML = '<p class="error">' + esc(error.message) + '</p>';
  }

  function seconds(trial) {
    if (trial.duration_s !== null && trial.duration_s !== undefined) return trial.duration_s;
    if (trial.state === 'RUNNING' && trial.started_at) return (Date.now() - Date.parse(trial.started_at)) / 1000;
    return null;
  }

  function formatDuration(s) {
    if (s === null || s === undefined) return '–';
    if (s < 60) return s.toFixed(1) + ' s';
    if (s < 3600) return (s / 60).toFixed(1) + ' min';
    return (s / 3600).toFixed(2) + ' h';
  }

  function isNumber(v) {
    return typeof v === 'number' && Number.isFinite(v);
  }

  // How a param is laid on an axis: numbers as they are (log when positive
  // and spanning more than two decades, like learning rates), anything else
  // as the categories it takes, in order of first appearance.
  function paramAxis(trials, name) {
    const values = trials.map((t) => t.params[name]).filter((v) => v !== undefined);
    if (values.length && values.every(isNumber)) {
      const min = Math.min(...values), max = Math.max(...values);
      return { name, numeric: true, log: min > 0 && max / min > 100, value: (t) => t.params[name] };
    }
    const categories = [];
    for (const v of values) {
      const key = JSON.stringify(v);
      if (!categories.includes(key)) categories.push(key);
    }
    return {
      name, numeric: false, log: false, categories,
      value: (t) => (t.params[name] === undefined ? undefined : categories.indexOf(JSON.stringify(t.params[name]))),
    };
  }

  function axisLayout(axis, title) {
    const layout = { title: { text: title || axis.name }, automargin: true };
    if (axis.log) layout.type = 'log';
    if (!axis.numeric) {
      layout.tickvals = axis.categories.map((_, i) => i);
      layout.ticktext = axis.categories.map((c) => fmt(JSON.parse(c)));
    }
    return layout;
  }

  function baseLayout(extra) {
    return Object.assign({ margin: { l: 60, r: 20, t: 10, b: 50 }, hovermode: 'closest', showlegend: false }, extra);
  }

  function draw(id, traces, layout) {
    const element = document.getElementById(id);
    if (element) Plotly.react(element, traces, baseLayout(layout), PLOT_CONFIG);
  }

  function emptyPlot(id, message) {
    const element = document.getElementById(id);
    if (!element) return;
    Plotly.purge(element);
    element.innerHTML = '<p class="muted">' + esc(message) + '</p>';
  }

  function better(direction) {
    return direction === 'maximize' ? (a, b) => a > b : (a, b) => a < b;
  }

  function panel(id, title, note, controls) {
    return '<section class="panel"><h3>' + esc(title) + '</h3>' + '<p class="note">' + esc(note) + '</p>' +
      (controls ? '<div class="controls">' + controls + '</div>' : '') + '<div class="plot" id="' + id + '"></div></section>';
  }

  function select(id, label, options, chosen) {
    return '<label>' + esc(label) + ' <select id="' + id + '">' +
      options.map((o) => '<option' + (o === chosen ? ' selected' : '') + ' value="' + esc(o) + '">' + esc(o) + '</option>').join('') +
      '</select></label>';
  }

  // ---- the studies page ---------------------------------------------------

  function studiesPage() {
    document.title = 'bertlab dashboard';
    crumbs.innerHTML = '';
    let shown = '';
    return poll(async () => {
      const data = await api('/api/studies');
      const key = JSON.stringify(data);
      if (key === shown) return;
      shown = key;
      if (!data.studies.length) {
        app.innerHTML = '<h1>Studies</h1><p class="muted">This store has no studies yet: <code>bertlab run EXP.toml</code> makes one.</p>';
        return;
      }
      const rows = data.studies.map((s) =>
        '<tr class="study-row"><td><a href="' + studyUrl(s.name) + '">' + esc(s.name) + '</a></td>' +
        '<td class="num">' + s.trials + '</td>' +
        ['RUNNING', 'COMPLETE', 'PRUNED', 'FAILED'].map((st) => '<td class="num state-' + st + '">' + s.states[st] + '</td>').join('') +
        '<td class="num">' + fmt(s.best_value) + '</td><td class="num">' + (s.best_trial === null ? '–' : s.best_trial) + '</td>' +
        '<td>' + esc(s.metric) + ' (' + esc(s.direction) + ')</td><td>' + esc(s.model ?? '–') + '</td><td>' + esc(s.head ?? '–') + '</td>' +
        '<td>' + esc(s.created_at) + '</td></tr>').join('');
      app.innerHTML = '<h1>Studies</h1><div class="scroll"><table id="studies-table"><thead><tr>' +
        '<th>Study</th><th>Trials</th><th>Running</th><th>Complete</th><th>Pruned</th><th>Failed</th><th>Best value</th>' +
        '<th>Best trial</th><th>Metric</th><th>Model</th><th>Head</th><th>Created (UTC)</th></tr></thead><tbody>' + rows +
        '</tbody></table></div>';
    });
  }

  // ---- a study page -------------------------------------------------------

  // What the study page draws from: the study, its trials and importances,
  // and the reader's choices in the plots' selectors.
  const view = { study: null, trials: [], importances: null, choices: {}, sort: { key: 'number', desc: false }, filter: '' };

  function studyLayout(study) {
    const linkTrials = !REPORT;
    return '<h1 id="study-name">' + esc(study.name) + '</h1>' +
      '<div class="facts" id="study-facts"></div>' +
      '<div class="grid">' +
      panel('plot-history', 'Optimisation history', 'each COMPLETE trial\'s value, and the best so far') +
      panel('plot-curves', 'Learning curves', 'intermediate values per trial; pruned trials dotted, ending in ×',
        '<span id="curves-control"></span>') +
      panel('plot-parallel', 'Parallel coordinates', 'COMPLETE trials: each line one trial, coloured by its value') +
      panel('plot-importance', 'Parameter importances', '') +
      panel('plot-slice', 'Slice', 'the value against one param', '<span id="slice-control"></span>') +
      panel('plot-contour', 'Contour', 'the value over two params, interpolated between trials (inverse distance)',
        '<span id="contour-control"></span>') +
      panel('plot-edf', 'Empirical distribution of values', 'share of COMPLETE trials with a value at most x') +
      panel('plot-timeline', 'Timeline', 'trials per worker, from start to finish, by state') +
      '</div>' +
      '<h2>Trials</h2><div class="controls"><input type="search" id="trials-filter" placeholder="filter: state, param, value…">' +
      '<span class="muted" id="trials-count"></span></div>' +
      '<div class="scroll"><table id="trials-table" data-links="' + linkTrials + '"></table></div>' +
      '<h2>Experiment</h2><p class="muted" id="experiment-facts"></p><pre id="experiment"></pre>';
  }

  function renderFacts() {
    const s = view.study;
    const complete = view.trials.filter((t) => t.state === 'COMPLETE').length;
    const counts = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAILED'].map((st) => '<span class="state-' + st + '">' + st.toLowerCase() + ' ' + s.states[st] + '</span>').join(' · ');
    document.getElementById('study-facts').innerHTML =
      '<span><b>metric</b> ' + esc(s.metric) + ' (' + esc(s.direction) + ')</span>' +
      '<span><b>best</b> ' + fmt(s.best_value) + (s.best_trial === null ? '' : ' (trial ' + s.best_trial + ')') + '</span>' +
      '<span><b>trials</b> ' + s.trials + ': ' + counts + '</span>' +
      '<span><b>model</b> ' + esc(s.model ?? '–') + '</span><span><b>head</b> ' + esc(s.head ?? '–') + '</span>' +
      '<span><b>created</b> ' + esc(s.created_at) + '</span>' +
      (REPORT ? '<span><b>report written</b> ' + esc(REPORT.generated_at) + '</span>' : '') +
      '<span class="muted">' + complete + ' with a value</span>';
    document.getElementById('experiment-facts').textContent =
      (s.experiment_file ? s.experiment_file + ' · ' : '') + 'sha256 ' + s.experiment_hash;
    document.getElementById('experiment').textContent = s.experiment;
  }

  function completeTrials() {
    return view.trials.filter((t) => t.state === 'COMPLETE' && isNumber(t.value));
  }

  function drawHistory() {
    const trials = completeTrials();
    if (!trials.length) return emptyPlot('plot-history', 'No COMPLETE trial yet.');
    const isBetter = better(view.study.direction);
    let best = null;
    const bestX = [], bestY = [];
    for (const t of trials) {
      if (best === null || isBetter(t.value, best)) best = t.value;
      bestX.push(t.number);
      bestY.push(best);
    }
    draw('plot-history', [
      { type: 'scatter', mode: 'markers', name: 'value', x: trials.map((t) => t.number), y: trials.map((t) => t.value),
        marker: { color: STATE_COLORS.COMPLETE, size: 8 }, text: trials.map((t) => 'trial ' + t.number), hoverinfo: 'text+y' },
      { type: 'scatter', mode: 'lines', name: 'best so far', x: bestX, y: bestY, line: { color: '#cf222e', shape: 'hv' } },
    ], { xaxis: { title: { text: 'trial' } }, yaxis: { title: { text: view.study.metric } } });
  }

  function drawCurves() {
    const names = view.study.intermediate_names;
    const control = document.getElementById('curves-control');
    if (!names.length) {
      control.innerHTML = '';
      return emptyPlot('plot-curves', 'No intermediate values reported yet.');
    }
    let chosen = view.choices.curve;
    if (!names.includes(chosen)) {
      chosen = names.find((n) => n === 'eval_' + view.study.metric) || names.find((n) => n === view.study.metric) ||
        names.find((n) => n.endsWith(view.study.metric)) || names[0];
    }
    view.choices.curve = chosen;
    control.innerHTML = select('curve-name', 'series', names, chosen);
    document.getElementById('curve-name').onchange = (event) => { view.choices.curve = event.target.value; drawCurves(); };
    const traces = [];
    for (const t of view.trials) {
      const points = t.intermediate_values.filter((iv) => iv.name === chosen);
      if (!points.length) continue;
      const pruned = t.state === 'PRUNED';
      traces.push({
        type: 'scatter', mode: 'lines+markers', name: 'trial ' + t.number,
        x: points.map((p) => p.step), y: points.map((p) => p.value),
        line: { color: STATE_COLORS[t.state], dash: pruned ? 'dot' : 'solid', width: 1.5 },
        marker: { size: points.map((_, i) => (pruned && i === points.length - 1 ? 10 : 4)),
                  symbol: points.map((_, i) => (pruned && i === points.length - 1 ? 'x' : 'circle')) },
        hovertemplate: 'trial ' + t.number + ' (' + t.state + ')<br>step %{x}: %{y}<extra></extra>',
      });
    }
    draw('plot-curves', traces, { xaxis: { title: { text: 'step' } }, yaxis: { title: { text: chosen } } });
  }

  function paramNames() {
    return view.study.params;
  }

  function drawParallel() {
    const trials = completeTrials();
    const names = paramNames();
    if (trials.length < 2 || !names.length) return emptyPlot('plot-parallel', 'Needs two COMPLETE trials with params.');
    const dimensions = names.map((name) => {
      const axis = paramAxis(trials, name);
      const values = trials.map((t) => axis.value(t));
      const dimension = { label: axis.log ? 'log10 ' + name : name, values: values.map((v) => (v === undefined ? NaN : axis.log ? Math.log10(v) : v)) };
      if (!axis.numeric) {
        dimension.tickvals = axis.categories.map((_, i) => i);
        dimension.ticktext = axis.categories.map((c) => fmt(JSON.parse(c)));
      }
      return dimension;
    });
    dimensions.push({ label: view.study.metric, values: trials.map((t) => t.value) });
    draw('plot-parallel', [{
      type: 'parcoords', dimensions,
      line: { color: trials.map((t) => t.value), colorscale: 'Viridis', showscale: true,
              reversescale: view.study.direction === 'minimize' },
    }], { margin: { l: 60, r: 60, t: 40, b: 30 } });
  }

  function drawImportance() {
    const report = view.importances;
    const note = document.getElementById('plot-importance').parentElement.querySelector('.note');
    if (report) note.textContent = report.method + ' · ' + report.trials_used + ' trials';
    if (!report || !report.importances.length) return emptyPlot('plot-importance', 'Needs two COMPLETE trials and a param that varies.');
    const rows = report.importances.slice().reverse();
    draw('plot-importance', [{
      type: 'bar', orientation: 'h', x: rows.map((r) => r.importance), y: rows.map((r) => r.param),
      marker: { color: '#0969da' }, text: rows.map((r) => r.importance.toFixed(3)), textposition: 'auto',
    }], { xaxis: { title: { text: 'importance' }, range: [0, 1] }, margin: { l: 140, r: 20, t: 10, b: 50 } });
  }

  function drawSlice() {
    const trials = completeTrials();
    const names = paramNames();
    const control = document.getElementById('slice-control');
    if (!trials.length || !names.length) {
      control.innerHTML = '';
      return emptyPlot('plot-slice', 'Needs a COMPLETE trial with params.');
    }
    const chosen = names.includes(view.choices.slice) ? view.choices.slice : names[0];
    view.choices.slice = chosen;
    control.innerHTML = select('slice-param', 'param', names, chosen);
    document.getElementById('slice-param').onchange = (event) => { view.choices.slice = event.target.value; drawSlice(); };
    const axis = paramAxis(trials, chosen);
    const shown = trials.filter((t) => t.params[chosen] !== undefined);
    draw('plot-slice', [{
      type: 'scatter', mode: 'markers', x: shown.map((t) => axis.value(t)), y: shown.map((t) => t.value),
      marker: { color: shown.map((t) => t.number), colorscale: 'Blues', showscale: true, colorbar: { title: { text: 'trial' } }, size: 8 },
      text: shown.map((t) => 'trial ' + t.number), hoverinfo: 'text+x+y',
    }], { xaxis: axisLayout(axis), yaxis: { title: { text: view.study.metric } } });
  }

  // The value over a grid of two params, each grid point the inverse-
  // squared-distance mean of the trials (in the axes' own scale, each axis
  // scaled to [0, 1]), with the trials themselves on top.
  function drawContour() {
    const trials = completeTrials();
    const names = paramNames();
    const control = document.getElementById('contour-control');
    if (trials.length < 3 || names.length < 2) {
      control.innerHTML = '';
      return emptyPlot('plot-contour', 'Needs two params and three COMPLETE trials.');
    }
    const xName = names.includes(view.choices.contourX) ? view.choices.contourX : names[0];
    let yName = names.includes(view.choices.contourY) ? view.choices.contourY : names[1];
    if (yName === xName) yName = names.find((n) => n !== xName);
    view.choices.contourX = xName;
    view.choices.contourY = yName;
    control.innerHTML = select('contour-x', 'x', names, xName) + select('contour-y', 'y', names.filter((n) => n !== xName), yName);
    document.getElementById('contour-x').onchange = (event) => { view.choices.contourX = event.target.value; drawContour(); };
    document.getElementById('contour-y').onchange = (event) => { view.choices.contourY = event.target.value; drawContour(); };
    const xAxis = paramAxis(trials, xName), yAxis = paramAxis(trials, yName);
    const shown = trials.filter((t) => xAxis.value(t) !== undefined && yAxis.value(t) !== undefined);
    const scale = (axis) => (v) => (axis.log ? Math.log10(v) : v);
    const sx = scale(xAxis), sy = scale(yAxis);
    const xs = shown.map((t) => sx(xAxis.value(t))), ys = shown.map((t) => sy(yAxis.value(t)));
    const range = (vs) => [Math.min(...vs), Math.max(...vs)];
    const [x0, x1] = range(xs), [y0, y1] = range(ys);
    const n = 40;
    const gx = [], gy = [];
    for (let i = 0; i < n; ++i) {
      gx.push(x1 > x0 ? x0 + ((x1 - x0) * i) / (n - 1) : x0 + i);
      gy.push(y1 > y0 ? y0 + ((y1 - y0) * i) / (n - 1) : y0 + i);
    }
    const wx = x1 > x0 ? x1 - x0 : 1, wy = y1 > y0 ? y1 - y0 : 1;
    const z = gy.map((yv) => gx.map((xv) => {
      let weights = 0, sum = 0;
      for (let k = 0; k < shown.length; ++k) {
        const d2 = ((xv - xs[k]) / wx) ** 2 + ((yv - ys[k]) / wy) ** 2;
        if (d2 < 1e-12) return shown[k].value;
        weights += 1 / d2;
        sum += shown[k].value / d2;
      }
      return sum / weights;
    }));
    const unscale = (axis) => (v) => (axis.log ? 10 ** v : v);
    draw('plot-contour', [
      { type: 'contour', x: gx.map(unscale(xAxis)), y: gy.map(unscale(yAxis)), z, colorscale: 'Viridis',
        reversescale: view.study.direction === 'minimize', colorbar: { title: { text: view.study.metric } }, hoverinfo: 'z' },
      { type: 'scatter', mode: 'markers', x: shown.map((t) => xAxis.value(t)), y: shown.map((t) => yAxis.value(t)),
        marker: { color: 'white', line: { color: 'black', width: 1 }, size: 7 }, text: shown.map((t) => 'trial ' + t.number + ': ' + fmt(t.value)), hoverinfo: 'text' },
    ], { xaxis: axisLayout(xAxis), yaxis: axisLayout(yAxis) });
  }

  function drawEdf() {
    const values = completeTrials().map((t) => t.value).sort((a, b) => a - b);
    if (!values.length) return emptyPlot('plot-edf', 'No COMPLETE trial yet.');
    draw('plot-edf', [{
      type: 'scatter', mode: 'lines', x: values, y: values.map((_, i) => (i + 1) / values.length), line: { shape: 'hv', color: '#0969da' },
    }], { xaxis: { title: { text: view.study.metric } }, yaxis: { title: { text: 'cumulative share' }, range: [0, 1.02] } });
  }

  // A Gantt chart as plotly draws one: horizontal bars from each trial's
  // start (base) for its duration, both in ms, one row per worker.
  function drawTimeline() {
    const trials = view.trials.filter((t) => t.started_at);
    if (!trials.length) return emptyPlot('plot-timeline', 'No trial has started.');
    const now = Date.now();
    const traces = ['COMPLETE', 'PRUNED', 'FAILED', 'RUNNING'].map((state) => {
      const shown = trials.filter((t) => t.state === state);
      const label = (t) => 'trial ' + t.number + ' (' + state + ')' + (isNumber(t.value) ? ': ' + fmt(t.value) : '');
      return {
        type: 'bar', orientation: 'h', name: state,
        base: shown.map((t) => Date.parse(t.started_at)),  // ms since the epoch, shown as UTC
        x: shown.map((t) => Math.max(1, (t.finished_at ? Date.parse(t.finished_at) : now) - Date.parse(t.started_at))),
        y: shown.map((t) => (t.attributes && t.attributes.worker) || 'unknown worker'),
        text: shown.map(label), hoverinfo: 'text', textposition: 'none',
        marker: { color: STATE_COLORS[state], line: { color: 'white', width: 1 } },
      };
    }).filter((trace) => trace.x.length);
    draw('plot-timeline', traces, { showlegend: true, legend: { orientation: 'h' }, barmode: 'overlay',
      xaxis: { type: 'date' }, yaxis: { automargin: true, type: 'category' } });
  }

  function trialColumns() {
    const names = paramNames();
    const columns = [
      { key: 'number', label: '#', get: (t) => t.number, num: true },
      { key: 'state', label: 'State', get: (t) => t.state },
      { key: 'value', label: view.study.metric, get: (t) => t.value, num: true },
      { key: 'duration', label: 'Duration', get: (t) => seconds(t), num: true, show: formatDuration },
      { key: 'tokens', label: 'Tokens/s', get: (t) => (t.attributes ? t.attributes.tokens_per_second : undefined), num: true,
        show: (v) => (isNumber(v) ? Math.round(v).toLocaleString('en') : '–') },
      { key: 'worker', label: 'Worker', get: (t) => (t.attributes ? t.attributes.worker : undefined) },
    ];
    for (const name of names) columns.push({ key: 'param:' + name, label: name, get: (t) => t.params[name], num: true });
    columns.push({ key: 'artifacts', label: 'Artifacts', get: (t) => t.artifacts.map((a) => a.kind + ': ' + a.path).join('; ') });
    columns.push({ key: 'error', label: 'Error', get: (t) => t.error });
    return columns;
  }

  function compareValues(a, b) {
    const missingA = a === null || a === undefined, missingB = b === null || b === undefined;
    if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(typeof a === 'object' ? JSON.stringify(a) : a).localeCompare(String(typeof b === 'object' ? JSON.stringify(b) : b));
  }

  function renderTrialsTable() {
    const columns = trialColumns();
    const table = document.getElementById('trials-table');
    const { key, desc } = view.sort;
    const column = columns.find((c) => c.key === key) || columns[0];
    const words = view.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const rows = view.trials.map((t) => ({ trial: t, cells: columns.map((c) => c.get(t)) }))
      .filter((row) => {
        if (!words.length) return true;
        const text = row.cells.map((v) => (v === undefined || v === null ? '' : fmt(v))).join(' ').toLowerCase() + ' ' + JSON.stringify(row.trial.params).toLowerCase();
        return words.every((w) => text.includes(w));
      });
    const index = columns.indexOf(column);
    rows.sort((a, b) => {
      const missingA = a.cells[index] === null || a.cells[index] === undefined;
      const missingB = b.cells[index] === null || b.cells[index] === undefined;
      if (missingA || missingB) return missingA === missingB ? a.trial.number - b.trial.number : missingA ? 1 : -1;
      return (desc ? -1 : 1) * compareValues(a.cells[index], b.cells[index]) || a.trial.number - b.trial.number;
    });
    const link = table.dataset.links === 'true';
    const head = '<thead><tr>' + columns.map((c) =>
      '<th class="sortable' + (c.key === column.key ? (desc ? ' sorted-desc' : ' sorted-asc') : '') + '" data-key="' + esc(c.key) + '">' + esc(c.label) + '</th>').join('') + '</tr></thead>';
    const body = rows.map((row) => '<tr class="trial-row" data-number="' + row.trial.number + '">' + columns.map((c, i) => {
      const v = row.cells[i];
      let shown = c.show ? c.show(v) : fmt(v);
      if (c.key === 'error' && v) shown = v.length > 80 ? v.slice(0, 80) + '…' : v;
      if (c.key === 'artifacts' && !v) shown = '–';
      let html = esc(shown);
      if (c.key === 'number' && link) html = '<a href="' + trialUrl(view.study.name, row.trial.number) + '">' + html + '</a>';
      const cls = (c.num && isNumber(v) ? 'num' : '') + (c.key === 'state' ? ' state state-' + v : '');
      return '<td class="' + cls.trim() + '"' + (c.key === 'error' && v ? ' title="' + esc(v) + '"' : '') + '>' + html + '</td>';
    }).join('') + '</tr>').join('');
    table.innerHTML = head + '<tbody>' + body + '</tbody>';
    document.getElementById('trials-count').textContent = rows.length + ' of ' + view.trials.length + ' trials';
    for (const th of table.querySelectorAll('th.sortable')) {
      th.onclick = () => {
        view.sort = { key: th.dataset.key, desc: view.sort.key === th.dataset.key ? !view.sort.desc : th.dataset.key === 'value' };
        renderTrialsTable();
      };
    }
  }

  function renderStudy() {
    renderFacts();
    drawHistory();
    drawCurves();
    drawParallel();
    drawImportance();
    drawSlice();
    drawContour();
    drawEdf();
    drawTimeline();
    renderTrialsTable();
  }

  function startStudyPage(study) {
    document.title = study.name + ' · bertlab';
    crumbs.innerHTML = '› <a href="' + (REPORT ? '#' : studyUrl(study.name)) + '">' + esc(study.name) + '</a>';
    app.innerHTML = studyLayout(study);
    const filter = document.getElementById('trials-filter');
    filter.oninput = () => { view.filter = filter.value; renderTrialsTable(); };
  }

  function studyPage(name) {
    let revision = null;
    return poll(async () => {
      const trials = await api(studyApi(name) + '/trials');
      if (trials.revision === revision) return;
      const [study, importances] = await Promise.all([api(studyApi(name)), api(studyApi(name) + '/importances')]);
      if (!view.study) startStudyPage(study);
      view.study = study;
      view.trials = trials.trials;
      view.importances = importances;
      revision = trials.revision;
      renderStudy();
    });
  }

  function reportPage() {
    view.study = REPORT.study;
    view.trials = REPORT.trials.trials;
    view.importances = REPORT.importances;
    startStudyPage(view.study);
    renderStudy();
    setStatus('report of ' + REPORT.trials.trials.length + ' trials');
  }

  // ---- a trial page -------------------------------------------------------

  function trialPage(name, number) {
    let shown = '';
    let started = false;
    const refresh = async () => {
      const data = await api(studyApi(name) + '/trials/' + number);
      const key = JSON.stringify(data);
      if (key === shown) return;
      shown = key;
      const { study, trial } = data;
      if (!started) {
        started = true;
        document.title = study.name + ' #' + trial.number + ' · bertlab';
        crumbs.innerHTML = '› <a href="' + studyUrl(study.name) + '">' + esc(study.name) + '</a> › trial ' + trial.number;
      }
      const table = (rows) => '<table class="kv">' + rows.map(([k, v]) => '<tr><th>' + esc(k) + '</th><td>' + esc(fmt(v)) + '</td></tr>').join('') + '</table>';
      const params = Object.entries(trial.params);
      const provenance = [
        ['experiment sha256', study.experiment_hash], ['data fingerprint', trial.data_fingerprint || '–'],
        ['seed', trial.seed], ...Object.entries(trial.plugins).map(([plugin, version]) => ['plugin ' + plugin, version]),
      ];
      const facts = [['state', trial.state], [study.metric + ' (' + study.direction + ')', trial.value], ['started (UTC)', trial.started_at],
        ['finished (UTC)', trial.finished_at], ['duration', formatDuration(seconds(trial))]];
      app.innerHTML = '<h1>' + esc(study.name) + ' · trial ' + trial.number + ' <span class="state state-' + trial.state + '">' + trial.state + '</span></h1>' +
        (trial.error ? '<h2>Error</h2><pre class="error" id="trial-error">' + esc(trial.error) + '</pre>' : '') +
        '<div class="grid"><section class="panel"><h3>Trial</h3>' + table(facts) + '</section>' +
        '<section class="panel"><h3>Params</h3>' + (params.length ? table(params) : '<p class="muted">none</p>') + '</section>' +
        '<section class="panel"><h3>Provenance</h3>' + table(provenance) + '</section>' +
        '<section class="panel"><h3>Attributes</h3>' + table(Object.entries(trial.attributes)) + '</section></div>' +
        '<h2>Intermediate values</h2><div class="plot" id="plot-trial-curves"></div>' +
        '<h2>Artifacts</h2>' + (trial.artifacts.length ? table(trial.artifacts.map((a) => [a.kind, a.path + ' (' + a.created_at + ')'])) : '<p class="muted">none</p>') +
        '<h2>Experiment</h2><pre id="experiment">' + esc(study.experiment) + '</pre>';
      const series = {};
      for (const iv of trial.intermediate_values) (series[iv.name] = series[iv.name] || []).push(iv);
      const names = Object.keys(series);
      if (!names.length) return emptyPlot('plot-trial-curves', 'No intermediate values.');
      draw('plot-trial-curves', names.map((n) => ({
        type: 'scatter', mode: 'lines+markers', name: n, x: series[n].map((p) => p.step), y: series[n].map((p) => p.value),
      })), { showlegend: true, xaxis: { title: { text: 'step' } } });
    };
    return poll(refresh);
  }

  // ---- routing ------------------------------------------------------------

  function route() {
    if (REPORT) return reportPage();
    const path = window.location.pathname;
    if (path === '/' || path === '') return studiesPage();
    const match = path.match(/^\/studies\/([^/]+)(?:\/trials\/(\d+))?\/?$/);
    if (!match) return showError(new Error('no page at ' + path));
    const name = decodeURIComponent(match[1]);
    return match[2] === undefined ? studyPage(name) : trialPage(name, Number(match[2]));
  }

  Promise.resolve().then(route).catch(showError);
})();
