// exp report in a real browser: opens a report written by `exp report` in headless
// Chromium (puppeteer-core driving the system's Chromium) and checks what a user sees
// against the runs' own summary.json files.
//
//   node report_browser_test.mjs PUPPETEER_DIR CHROMIUM sweep REPORT.html RUN_DIR... [--screenshot PNG]
//   node report_browser_test.mjs PUPPETEER_DIR CHROMIUM single REPORT.html RUN_DIR
//   node report_browser_test.mjs PUPPETEER_DIR CHROMIUM time REPORT.html   (prints load times)
//
// Exits 0 when every check holds; otherwise prints each failed check and exits 1.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [puppeteerDir, chromium, mode, reportFile, ...rest] = process.argv.slice(2);
const screenshotAt = rest.indexOf("--screenshot");
const screenshot = screenshotAt >= 0 ? rest[screenshotAt + 1] : null;
const runDirs = screenshotAt >= 0 ? rest.slice(0, screenshotAt) : rest;
const puppeteer = createRequire(resolve(puppeteerDir) + "/")("puppeteer-core");

const failures = [];
function check(condition, what) {
  if (!condition) failures.push(what);
}

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1300, height: 1000 });
  const errors = [];
  const requests = [];
  page.on("pageerror", (error) => errors.push("page error: " + error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push("console error: " + message.text());
  });
  page.on("request", (request) => requests.push(request.url()));
  const url = pathToFileURL(resolve(reportFile)).href;
  const started = Date.now();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => window.expReport && window.expReport.charts.loss);
  const loadSeconds = (Date.now() - started) / 1000;

  if (mode === "time") {
    const runs = await page.evaluate(() => window.expReport.data.runs.length);
    // Where the time went, from the page's own marks (report.js).
    await page.waitForFunction(() => performance.getEntriesByName("exp-painted").length > 0);
    const marks = await page.evaluate(() => {
      const navigation = performance.getEntriesByType("navigation")[0];
      return performance.getEntriesByType("mark")
          .map((mark) => `${mark.name} ${(mark.startTime / 1000).toFixed(2)} s`)
          .concat([`load event ${(navigation.loadEventEnd / 1000).toFixed(2)} s`]).join(", ");
    });
    console.log(`${runs} runs: loaded and drawn in ${loadSeconds.toFixed(2)} s (${marks})`);
  } else if (mode === "sweep") {
    await checkSweep(page);
  } else if (mode === "single") {
    await checkSingle(page);
  } else {
    failures.push("unknown mode " + mode);
  }
  check(errors.length === 0, "JavaScript errors: " + errors.join("; "));
  // data: URLs are the page's own pictures; anything else would leave the page.
  const outside = requests.filter((request) => request !== url && !request.startsWith("data:"));
  check(outside.length === 0, "requests besides the page itself: " + outside.join(", "));
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await browser.close();
}
if (failures.length) {
  for (const failure of failures) console.log("FAILED: " + failure);
  process.exit(1);
}
console.log(`report checks passed (${mode})`);

function summaryOf(dir) {
  return JSON.parse(readFileSync(dir + "/summary.json", "utf8"));
}

// The table's cells of one column, by its header text, in row order.
async function column(page, title) {
  return page.evaluate((title) => {
    const headers = [...document.querySelectorAll("#runs thead th")].map((th) => th.textContent.trim());
    const at = headers.indexOf(title);
    return [...document.querySelectorAll("#runs tbody tr")].map((row) => row.children[at].textContent);
  }, title);
}

async function clickHeader(page, title) {
  await page.evaluate((title) => {
    [...document.querySelectorAll("#runs thead th")].find((th) => th.textContent.trim() === title).click();
  }, title);
}

async function setFilter(page, text) {
  await page.evaluate((text) => {
    const box = document.getElementById("filter");
    box.value = text;
    box.dispatchEvent(new Event("input"));
  }, text);
}

function near(shown, actual) {
  // The table rounds to 4 significant digits.
  return Math.abs(Number(shown) - actual) <= Math.abs(actual) * 1e-3 + 1e-12;
}

async function checkSweep(page) {
  const byName = new Map(runDirs.map((dir) => [dir.split("/").slice(-2).join("/"), summaryOf(dir)]));
  const names = await column(page, "run");
  check(names.length === runDirs.length, `${names.length} table rows for ${runDirs.length} runs`);
  const testAccuracy = await column(page, "test_acc");
  const loss = await column(page, "loss");
  names.forEach((name, row) => {
    const summary = byName.get(name);
    check(summary !== undefined, `row ${row} names ${name}, not one of the runs`);
    if (!summary) return;
    check(near(testAccuracy[row], summary.final_test_accuracy),
          `${name}: test_acc shown ${testAccuracy[row]}, summary.json ${summary.final_test_accuracy}`);
    check(near(loss[row], summary.final_loss), `${name}: loss shown ${loss[row]}, summary.json ${summary.final_loss}`);
  });

  // Sorting: a click sorts ascending, a second descending.
  await clickHeader(page, "test_acc");
  const ascending = (await column(page, "test_acc")).map(Number);
  check(ascending.every((value, i) => i === 0 || ascending[i - 1] <= value), "test_acc ascending: " + ascending);
  await clickHeader(page, "test_acc");
  const descending = (await column(page, "test_acc")).map(Number);
  check(descending.every((value, i) => i === 0 || descending[i - 1] >= value), "test_acc descending: " + descending);

  // Filtering by a run's name leaves that run; nonsense leaves none; empty all.
  await setFilter(page, names[0]);
  check((await column(page, "run")).length === 1, "filter by one run's name keeps one row");
  await setFilter(page, "no run has this text");
  check((await column(page, "run")).length === 0, "a filter matching nothing leaves no row");
  await setFilter(page, "");
  check((await column(page, "run")).length === runDirs.length, "an empty filter shows every run");

  // One series per run (two on the accuracy chart: test and train), named by the
  // keys that differ.
  const series = await page.evaluate(() => {
    const { charts } = window.expReport;
    return {
      loss: charts.loss.series.slice(1).map((s) => s.label),
      accuracy: charts.accuracy.series.length - 1,
      scatter: charts.scatter.series.length - 1,
      keys: window.expReport.data.keys,
    };
  });
  check(series.loss.length === runDirs.length, `${series.loss.length} loss series for ${runDirs.length} runs`);
  check(series.accuracy === 2 * runDirs.length, `${series.accuracy} accuracy series`);
  check(series.scatter === runDirs.length, `${series.scatter} scatter points`);
  check(!series.keys.includes("train.threads"), "train.threads in the legend keys: " + series.keys);
  check(series.loss.every((label) => series.keys.every((key) => label.includes(key + "="))),
        "legend labels name the differing keys: " + series.loss.join(" | "));

  // Hover: the legend shows every run's value at the cursor.
  const hovered = await page.evaluate(() => {
    const chart = window.expReport.charts.loss;
    const before = [...chart.root.querySelectorAll(".u-legend .u-value")].map((v) => v.textContent);
    chart.setCursor({ left: chart.bbox.width / devicePixelRatio / 2, top: 20 });
    const after = [...chart.root.querySelectorAll(".u-legend .u-value")].map((v) => v.textContent);
    return { before, after, index: chart.cursor.idx };
  });
  check(hovered.index !== null && hovered.index !== undefined, "the cursor found no point");
  check(hovered.after.slice(1).every((text) => text !== "--" && text !== "") &&
        hovered.after.join() !== hovered.before.join(),
        `hover did not show each run's value: ${hovered.before} -> ${hovered.after}`);

  // The smoothing slider changes the drawn loss, and back at 0 restores it.
  const smoothing = await page.evaluate(() => {
    const chart = window.expReport.charts.loss;
    const middle = Math.floor(chart.data[0].length / 2);
    const raw = chart.data[1][middle];
    const slider = document.getElementById("smoothing");
    slider.value = "0.9";
    slider.dispatchEvent(new Event("input"));
    const smooth = window.expReport.charts.loss.data[1][middle];
    slider.value = "0";
    slider.dispatchEvent(new Event("input"));
    return { raw, smooth, back: window.expReport.charts.loss.data[1][middle] };
  });
  check(smoothing.smooth !== smoothing.raw && smoothing.back === smoothing.raw,
        `smoothing: ${smoothing.raw} -> ${smoothing.smooth} -> ${smoothing.back}`);

  // Log y and the x axis.
  const axes = await page.evaluate(() => {
    document.getElementById("log-y").click();
    const logDistribution = window.expReport.charts.loss.scales.y.distr;
    document.getElementById("log-y").click();
    const select = document.getElementById("x-axis");
    const stepsX = window.expReport.charts.loss.data[0].slice(-1)[0];
    select.value = "seconds";
    select.dispatchEvent(new Event("change"));
    const secondsX = window.expReport.charts.loss.data[0].slice(-1)[0];
    select.value = "step";
    select.dispatchEvent(new Event("change"));
    return { logDistribution, stepsX, secondsX };
  });
  check(axes.logDistribution === 3, "log y did not make the y scale logarithmic");
  check(axes.secondsX < axes.stepsX, `x as seconds ends at ${axes.secondsX}, as steps at ${axes.stepsX}`);
  // The runs took 200 steps each; the page counts the steps the report left out.
  check(axes.stepsX === 200, `x as steps ends at ${axes.stepsX}, not at step 200`);

  // Unselecting a run removes its series.
  await page.evaluate(() => document.querySelector("#runs tbody tr input[type=checkbox]").click());
  const afterUnselect = await page.evaluate(() => window.expReport.charts.loss.series.length - 1);
  check(afterUnselect === runDirs.length - 1, `${afterUnselect} loss series after unselecting one run`);
  await page.evaluate(() => document.getElementById("select-all").click());

  // A row's click shows its resolved config and command.
  const details = await page.evaluate(() => {
    document.querySelector("#runs tbody tr td:nth-child(3)").click();
    const panel = document.getElementById("details");
    return { hidden: panel.hidden, text: panel.textContent };
  });
  check(!details.hidden && details.text.includes("dataset:") && details.text.includes(" run "),
        "a row's click did not show its config and command");
  const closed = await page.evaluate(() => {
    document.querySelector("#runs tbody tr td:nth-child(3)").click();
    return document.getElementById("details").hidden;
  });
  check(closed, "a second click did not close the details");
}

async function checkSingle(page) {
  const summary = summaryOf(runDirs[0]);
  const shown = await page.evaluate(() => ({
    hidden: document.getElementById("single").hidden,
    text: document.getElementById("single-summary").textContent,
    pictures: [...document.querySelectorAll("#single-pictures img")].map((img) => img.naturalWidth),
  }));
  check(!shown.hidden, "a single run's section is hidden");
  check(shown.text.includes(String(summary.seed)), "the seed is not shown");
  for (const plugin of summary.plugins)
    check(shown.text.includes(plugin.sha256), `plugin ${plugin.name}'s sha256 is not shown`);
  check(shown.pictures.length === 2 && shown.pictures.every((width) => width > 0),
        "pictures not drawn: widths " + shown.pictures);
  const series = await page.evaluate(() => window.expReport.charts.loss.series.length - 1);
  check(series === 1, `${series} loss series for one run`);
}
