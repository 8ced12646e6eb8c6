// exp report's page: reads the runs' data from the #exp-data element and draws the
// runs table, the overlaid curves and the scatter with uPlot. Nothing is fetched.
// window.expReport exposes the state and the charts (the browser test reads them).
(function () {
  "use strict";

  performance.mark("exp-start");
  const data = JSON.parse(document.getElementById("exp-data").textContent);
  performance.mark("exp-parsed");
  const runs = data.runs;
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  const state = {
    selected: new Set(runs.map((run, index) => index)),
    sortColumn: null,
    descending: false,
    filter: "",
    xAxis: "step",
    smoothing: 0,
    logY: false,
    details: null,
  };
  const charts = { loss: null, accuracy: null, scatter: null };
  // Runs measured at different x (seconds differ in every run) are drawn on a grid of
  // at most this many points, each interpolated linearly.
  const kGridPoints = 4000;

  for (const run of runs) {
    try {
      run.summary = run.summary_text ? JSON.parse(run.summary_text) : {};
    } catch (error) {
      run.summary = {};
    }
    // exp report leaves out a metrics step column that counts 1, 2, 3, ...
    if (run.metrics && run.metrics.step === null && run.metrics.loss)
      run.metrics.step = run.metrics.loss.map((value, index) => index + 1);
  }
  const colorOf = (index) => palette[index % palette.length];

  // ---- numbers and text --------------------------------------------------------

  function shortNumber(value, digits) {
    if (value === null || value === undefined || value === "") return "-";
    if (typeof value !== "number") return String(value);
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString("en-US");
    return Number(value.toPrecision(digits || 4)).toString();
  }

  function asNumber(text) {
    if (typeof text === "number") return text;
    if (text === null || text === undefined || text.trim() === "") return null;
    const value = Number(text);
    return Number.isFinite(value) ? value : null;
  }

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  // ---- the runs table ------------------------------------------------------------

  const metricColumns = [
    { id: "final_loss", title: "loss" },
    { id: "final_train_accuracy", title: "train_acc" },
    { id: "final_test_accuracy", title: "test_acc" },
    { id: "best_test_accuracy", title: "best_test_acc" },
    { id: "wall_seconds", title: "wall_s" },
    { id: "loss_evaluations", title: "evals" },
  ];
  const columns = [
    { id: "status", title: "status", value: (run) => run.status },
    { id: "experiment", title: "experiment", value: (run) => run.config.experiment || "" },
    ...data.keys.map((key) => ({
      id: "config:" + key, title: key,
      value: (run) => (key in run.config ? run.config[key] : ""),
    })),
    { id: "steps", title: "steps", value: (run) => asNumber(run.summary.steps), number: true },
    ...metricColumns.map((metric) => ({
      id: metric.id, title: metric.title,
      value: (run) => asNumber(run.summary[metric.id]), number: true,
    })),
    { id: "name", title: "run", value: (run) => run.name },
  ];

  function cellText(column, run) {
    const value = column.value(run);
    return column.number ? shortNumber(value, 4) : String(value);
  }

  function visibleRuns() {
    const needle = state.filter.trim().toLowerCase();
    let indices = runs.map((run, index) => index);
    if (needle) {
      indices = indices.filter((index) => {
        const run = runs[index];
        const text = [run.label, ...columns.map((column) => cellText(column, run))].join(" ");
        return text.toLowerCase().includes(needle);
      });
    }
    if (state.sortColumn) {
      const column = columns.find((candidate) => candidate.id === state.sortColumn);
      const sign = state.descending ? -1 : 1;
      indices.sort((a, b) => {
        const x = column.value(runs[a]);
        const y = column.value(runs[b]);
        const xMissing = x === null || x === "";
        const yMissing = y === null || y === "";
        if (xMissing || yMissing) return xMissing === yMissing ? a - b : xMissing ? 1 : -1;
        const xNumber = asNumber(x);
        const yNumber = asNumber(y);
        const order = xNumber !== null && yNumber !== null ? xNumber - yNumber
                                                           : String(x).localeCompare(String(y));
        return order === 0 ? a - b : sign * order;
      });
    }
    return indices;
  }

  function renderTable() {
    const table = document.getElementById("runs");
    const head = element("tr", {}, [element("th", { text: "", title: "selected runs are drawn" })]);
    for (const column of columns) {
      const header = element("th", { text: column.title, "data-column": column.id });
      if (state.sortColumn === column.id)
        header.className = state.descending ? "sorted-descending" : "sorted-ascending";
      header.addEventListener("click", () => {
        if (state.sortColumn === column.id) state.descending = !state.descending;
        else { state.sortColumn = column.id; state.descending = false; }
        renderTable();
      });
      head.append(header);
    }
    table.tHead.replaceChildren(head);
    const shown = visibleRuns();
    const rows = shown.map((index) => {
      const run = runs[index];
      const box = element("input", { type: "checkbox", "aria-label": "draw " + run.label });
      box.checked = state.selected.has(index);
      box.addEventListener("click", (event) => event.stopPropagation());
      box.addEventListener("change", () => {
        if (box.checked) state.selected.add(index); else state.selected.delete(index);
        renderCharts();
      });
      const swatch = element("span", { className: "swatch" });
      swatch.style.background = colorOf(index);
      const row = element("tr", { "data-run": String(index) }, [element("td", {}, [swatch, box])]);
      for (const column of columns) {
        const cell = element("td", { text: cellText(column, run) });
        if (column.number) cell.className = "number";
        if (column.id === "status") cell.className = "status-" + run.status;
        row.append(cell);
      }
      if (state.details === index) row.classList.add("shown-details");
      row.addEventListener("click", () => showDetails(index));
      return row;
    });
    table.tBodies[0].replaceChildren(...rows);
    document.getElementById("shown").textContent =
        shown.length === runs.length ? runs.length + " runs" : shown.length + " of " + runs.length + " runs";
  }

  function showDetails(index) {
    const panel = document.getElementById("details");
    if (state.details === index) {
      state.details = null;
      panel.hidden = true;
      renderTable();
      return;
    }
    state.details = index;
    const run = runs[index];
    const folder = element("a", { href: "file://" + encodeURI(run.dir) + "/", text: run.dir });
    panel.replaceChildren(
        element("h3", { text: run.label }),
        element("p", {}, ["folder: ", folder, "  status: " + run.status]),
        element("p", { text: "command:" }),
        element("pre", { text: run.command || "(no command.txt)" }),
        element("p", { text: "resolved config (config.yaml):" }),
        element("pre", { text: run.config_text || "(no config.yaml)" }));
    panel.hidden = false;
    renderTable();
  }

  // ---- curves ----------------------------------------------------------------------

  // Linear interpolation of ys over increasing xs at x; null outside [xs[0], xs[n-1]].
  function interpolate(xs, ys, x) {
    let low = 0;
    let high = xs.length - 1;
    if (high < 0 || x < xs[0] || x > xs[high]) return null;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if (xs[middle] <= x) low = middle; else high = middle;
    }
    if (xs[low] === x || ys[high] === null) return ys[low];
    if (ys[low] === null) return null;
    const t = (x - xs[low]) / (xs[high] - xs[low]);
    return ys[low] + t * (ys[high] - ys[low]);
  }

  // The x of each row of a run's metrics.csv, for the chosen axis.
  function metricsX(run, axis) {
    const metrics = run.metrics || {};
    const steps = metrics.step || [];
    if (axis === "step") return steps;
    if (axis === "seconds") return metrics.seconds || null;
    if (axis === "evaluations") return metrics.evaluations || null;
    // epoch: each step placed between the evaluations around it (epochs.csv).
    const epochs = run.epochs || {};
    if (!epochs.step || epochs.step.length < 2) return null;
    return steps.map((step) => interpolate(epochs.step, epochs.epoch, step));
  }

  // Each evaluation's x: its step, epoch, or the seconds / evaluations at its step.
  function epochsX(run, axis) {
    const epochs = run.epochs || {};
    const steps = epochs.step || [];
    if (axis === "step") return steps;
    if (axis === "epoch") return epochs.epoch || null;
    const metrics = run.metrics || {};
    const column = axis === "seconds" ? metrics.seconds : metrics.evaluations;
    if (!column || !metrics.step) return null;
    return steps.map((step) => interpolate(metrics.step, column, step));
  }

  // TensorBoard's smoothing: an exponential moving average, debiased at the start.
  function smoothed(values, weight) {
    if (!weight) return values;
    let last = 0;
    let count = 0;
    return values.map((value) => {
      if (value === null || !Number.isFinite(value)) return value;
      last = last * weight + (1 - weight) * value;
      count += 1;
      return last / (1 - Math.pow(weight, count));
    });
  }

  function sameValues(a, b) {
    return a.length === b.length && a.every((value, i) => value === b[i]);
  }

  // [{xs, ys}] -> uPlot's [x, y1, y2, ...] on one x axis. Series that share their xs
  // (every run's steps) are joined as they are. Otherwise, with `resample`, each is
  // interpolated onto an even grid, so that hovering shows every run's value at any
  // x (seconds differ in every run); without it the xs are merged and a run has no
  // value (undefined: its line goes on across) where it was not measured.
  function aligned(seriesList, resample) {
    const shared = seriesList.every((series) => sameValues(series.xs, seriesList[0].xs));
    const distinct = new Set();
    for (const series of seriesList) for (const x of series.xs) if (x !== null) distinct.add(x);
    if (shared || !resample) {
      const grid = Float64Array.from(distinct).sort();
      const where = new Map();
      grid.forEach((x, index) => where.set(x, index));
      const columns = seriesList.map((series) => {
        const column = new Array(grid.length).fill(undefined);
        series.xs.forEach((x, index) => { if (x !== null) column[where.get(x)] = series.ys[index]; });
        return column;
      });
      return [Array.from(grid), ...columns];
    }
    let low = Infinity;
    let high = -Infinity;
    for (const x of distinct) { low = Math.min(low, x); high = Math.max(high, x); }
    const points = Math.min(kGridPoints, Math.max(2, distinct.size));
    const grid = Array.from({ length: points }, (_, i) => low + (high - low) * i / (points - 1));
    return [grid, ...seriesList.map((series) => {
      const pairs = series.xs.map((x, i) => [x, series.ys[i]]).filter((pair) => pair[0] !== null);
      const xs = pairs.map((pair) => pair[0]);
      const ys = pairs.map((pair) => pair[1]);
      return grid.map((x) => interpolate(xs, ys, x));
    })];
  }

  function chartWidth() {
    return Math.max(400, Math.min(1200, document.body.clientWidth - 20));
  }

  function makeChart(target, xLabel, yLabel, seriesOptions, values, logY, extra) {
    const options = Object.assign({
      width: chartWidth(),
      height: 320,
      scales: { x: { time: false }, y: logY ? { distr: 3 } : {} },
      axes: [{ label: xLabel }, { label: yLabel }],
      series: [{ label: xLabel }, ...seriesOptions],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
    }, extra || {});
    const container = document.getElementById(target);
    container.replaceChildren();
    return new uPlot(options, values, container);
  }

  function positiveOnly(values) {
    return values.map((value) => (value !== null && value > 0 ? value : null));
  }

  function xLabelOf(axis) {
    return { step: "step", epoch: "epoch", seconds: "seconds", evaluations: "loss evaluations" }[axis];
  }

  function drawn() {
    return runs.map((run, index) => index).filter((index) => state.selected.has(index));
  }

  function lossData(indices) {
    const seriesList = [];
    for (const index of indices) {
      const run = runs[index];
      const xs = metricsX(run, state.xAxis);
      const loss = (run.metrics && run.metrics.loss) || [];
      if (!xs) { seriesList.push({ xs: [], ys: [] }); continue; }
      let ys = smoothed(loss, state.smoothing);
      if (state.logY) ys = positiveOnly(ys);
      seriesList.push({ xs, ys });
    }
    return aligned(seriesList, true);
  }

  function renderCharts() {
    const indices = drawn();
    const label = (index) => runs[index].label;
    charts.loss = makeChart("loss-chart", xLabelOf(state.xAxis), "loss",
        indices.map((index) => ({ label: label(index), stroke: colorOf(index), width: 1.5 })),
        lossData(indices), state.logY);
    const accuracySeries = [];
    const accuracyOptions = [];
    for (const index of indices) {
      const run = runs[index];
      const xs = epochsX(run, state.xAxis) || [];
      const epochs = run.epochs || {};
      for (const [column, name, dash] of [["test_accuracy", "test", null], ["train_accuracy", "train", [6, 4]]]) {
        accuracySeries.push({ xs, ys: epochs[column] || [] });
        // Markers on every evaluation help with a few runs; with many they cost more
        // than the lines (a second for 100 runs) and hide them.
        const options = { label: label(index) + " " + name, stroke: colorOf(index), width: 1.5,
                          points: { show: indices.length <= 12, size: 4 } };
        if (dash) options.dash = dash;
        accuracyOptions.push(options);
      }
    }
    charts.accuracy = makeChart("accuracy-chart", xLabelOf(state.xAxis), "accuracy", accuracyOptions,
                                aligned(accuracySeries, false), false,
                                { scales: { x: { time: false }, y: { range: [0, 1] } } });
    renderScatter();
  }

  // ---- scatter -------------------------------------------------------------------

  const scatterMetrics = metricColumns;

  function renderScatter() {
    const section = document.getElementById("scatter-section");
    const keySelect = document.getElementById("scatter-key");
    const metricSelect = document.getElementById("scatter-metric");
    if (data.keys.length === 0) { section.hidden = true; return; }
    if (keySelect.options.length === 0) {
      for (const key of data.keys) keySelect.append(element("option", { value: key, text: key }));
      for (const metric of scatterMetrics)
        metricSelect.append(element("option", { value: metric.id, text: metric.title }));
      metricSelect.value = "final_test_accuracy";
    }
    const key = keySelect.value;
    const metric = metricSelect.value;
    const indices = drawn().filter((index) => key in runs[index].config);
    const texts = indices.map((index) => runs[index].config[key]);
    const numeric = texts.every((text) => asNumber(text) !== null);
    const categories = [...new Set(texts)].sort();
    const xOf = (text) => (numeric ? asNumber(text) : categories.indexOf(text));
    const xs = texts.map(xOf);
    const logX = numeric && xs.length > 1 && xs.every((x) => x > 0) &&
                 Math.max(...xs) / Math.min(...xs) >= 100;
    const seriesList = indices.map((index, i) => ({ xs: [xs[i]], ys: [asNumber(runs[index].summary[metric])] }));
    const options = indices.map((index) => ({
      label: runs[index].label, stroke: colorOf(index), fill: colorOf(index),
      paths: () => null, points: { show: true, size: 10, fill: colorOf(index) },
    }));
    const xAxis = numeric ? { label: key } : {
      label: key,
      values: (chart, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? categories[tick] || "" : "")),
    };
    charts.scatter = makeChart("scatter-chart", key, metric, options, aligned(seriesList, false), false, {
      scales: { x: Object.assign({ time: false }, logX ? { distr: 3 } : numeric ? {} : {
        range: [-0.5, categories.length - 0.5] }) },
      axes: [xAxis, { label: metricSelect.selectedOptions[0].textContent }],
    });
  }

  // ---- one run ---------------------------------------------------------------------

  function renderSingle() {
    if (runs.length !== 1) return;
    const run = runs[0];
    const summary = run.summary;
    const list = element("dl", { className: "summary" });
    const add = (name, value) => list.append(element("dt", { text: name }), element("dd", { text: value }));
    add("run", run.dir);
    add("status", run.status);
    for (const field of ["experiment", "seed", "steps", "total_steps", "final_loss", "final_train_accuracy",
                         "final_test_accuracy", "best_test_accuracy", "wall_seconds", "loss_evaluations",
                         "threads", "processes", "host", "compiler", "build_type", "build_flags",
                         "git_commit", "git_dirty"]) {
      if (field in summary) add(field, JSON.stringify(summary[field]));
    }
    for (const [name, version] of Object.entries(summary.libraries || {})) add(name, version);
    const plugins = element("table", {}, [element("tr", {}, ["kind", "name", "version", "sha256", "file"]
        .map((title) => element("th", { text: title })))]);
    for (const plugin of summary.plugins || []) {
      plugins.append(element("tr", {}, ["kind", "name", "version", "sha256", "file"]
          .map((field) => element("td", { text: String(plugin[field] || "") }))));
    }
    document.getElementById("single-summary").replaceChildren(
        list, element("h3", { text: "plugins" }), plugins,
        element("h3", { text: "summary.json" }), element("pre", { text: run.summary_text || "(none)" }));
    // As images: an SVG's own scripts and links stay inert.
    const pictures = Object.entries(run.pictures || {}).map(([name, svg]) =>
        element("img", { alt: name, title: name, src: "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg) }));
    document.getElementById("single-pictures").replaceChildren(...pictures);
    document.getElementById("single").hidden = false;
  }

  // ---- controls ----------------------------------------------------------------------

  function connectControls() {
    document.getElementById("filter").addEventListener("input", (event) => {
      state.filter = event.target.value;
      renderTable();
    });
    document.getElementById("select-all").addEventListener("click", () => {
      runs.forEach((run, index) => state.selected.add(index));
      renderTable();
      renderCharts();
    });
    document.getElementById("select-none").addEventListener("click", () => {
      state.selected.clear();
      renderTable();
      renderCharts();
    });
    const axis = document.getElementById("x-axis");
    const hasEvaluations = runs.some((run) => run.metrics && run.metrics.evaluations);
    if (!hasEvaluations) axis.querySelector("option[value=evaluations]").remove();
    axis.addEventListener("change", () => { state.xAxis = axis.value; renderCharts(); });
    const slider = document.getElementById("smoothing");
    slider.addEventListener("input", () => {
      state.smoothing = Number(slider.value);
      document.getElementById("smoothing-value").textContent = state.smoothing.toFixed(2);
      charts.loss.setData(lossData(drawn()));
    });
    document.getElementById("log-y").addEventListener("change", (event) => {
      state.logY = event.target.checked;
      renderCharts();
    });
    document.getElementById("scatter-key").addEventListener("change", renderScatter);
    document.getElementById("scatter-metric").addEventListener("change", renderScatter);
  }

  document.getElementById("generated").textContent =
      runs.length + (runs.length === 1 ? " run" : " runs") + ", written " + data.generated + " by exp report";
  connectControls();
  renderSingle();
  renderTable();
  performance.mark("exp-table");
  renderCharts();
  performance.mark("exp-charts");
  requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("exp-painted")));
  window.expReport = { data, state, charts, columns, renderTable, renderCharts };
})();
