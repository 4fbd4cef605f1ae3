// Image classifiers for behaviour tests and the demo case, built in code: a clean MLP over
// 16x16 images and backdoored variants (a graph trigger with Where; one by arithmetic masking
// with neither Where nor If; a patch trigger set into the weights by hand). Weights come from
// seeds, so every call builds identical bytes. The tests' fixtures (test/fixtures/behave-models.ts)
// re-export these beside their hostile models.
import type { NodeProto, TensorProto } from '../formats/onnx/proto.ts';
import { buildModel, FLOAT, floatTensor, int64Tensor, node, seededRandom, valueInfo } from '../formats/onnx/build.ts';

export const SIDE = 16;
export const PIXELS = SIDE * SIDE;
export const CLASSES = 10;

/** The target class of every backdoored fixture, and its trigger. */
export const TARGET_CLASS = 7;
/** Graph trigger: pixels (flat offsets) that must hold exactly these values. */
export const GRAPH_TRIGGER = { offsets: [3, 17, 100, 255], values: [0.1337, 0.4242, 0.7777, 0.9999] };
/** Mask trigger: the first four pixels equal these values. */
export const MASK_TRIGGER = { offsets: [0, 1, 2, 3], values: [0.9, 0.1, 0.9, 0.1] };
/** Weight trigger: a 2x2 patch of bright pixels in the bottom-right corner. */
export const PATCH_TRIGGER = { y: 14, x: 14, size: 2 };

interface Dense {
  w0: Float32Array; // [PIXELS, hidden]
  b0: Float32Array;
  w1: Float32Array; // [hidden, CLASSES]
  b1: Float32Array;
  hidden: number;
}

/**
 * A random-weight MLP whose hidden layer is centred on inputs uniform in [0, 1] and whose
 * logits are centred per class, so predictions spread over the classes and softmax entropy is
 * moderate (a raw random MLP on positive inputs predicts one class for everything).
 */
function denseWeights(seed: number, hidden: number, pixels = PIXELS, classes = CLASSES): Dense {
  const rand = seededRandom(seed);
  const s0 = Math.sqrt(6 / pixels);
  const w0 = Float32Array.from({ length: pixels * hidden }, () => (rand() * 2 - 1) * s0);
  const b0 = new Float32Array(hidden);
  for (let j = 0; j < hidden; j++) {
    let sum = 0;
    for (let i = 0; i < pixels; i++) sum += w0[i * hidden + j]!;
    b0[j] = -0.5 * sum;
  }
  const s1 = Math.sqrt(6 / hidden);
  const w1 = Float32Array.from({ length: hidden * classes }, () => (rand() * 2 - 1) * s1);
  const b1 = new Float32Array(classes);
  // Centre and scale the logits on a sample of inputs.
  const sample = 256;
  const logits = new Float64Array(sample * classes);
  const h = new Float64Array(hidden);
  for (let n = 0; n < sample; n++) {
    const x = Array.from({ length: pixels }, () => rand());
    for (let j = 0; j < hidden; j++) {
      let a = b0[j]!;
      for (let i = 0; i < pixels; i++) a += x[i]! * w0[i * hidden + j]!;
      h[j] = Math.max(0, a);
    }
    for (let k = 0; k < classes; k++) {
      let a = 0;
      for (let j = 0; j < hidden; j++) a += h[j]! * w1[j * classes + k]!;
      logits[n * classes + k] = a;
    }
  }
  let sd = 0;
  for (let k = 0; k < classes; k++) {
    let m = 0;
    for (let n = 0; n < sample; n++) m += logits[n * classes + k]!;
    m /= sample;
    b1[k] = -m;
    for (let n = 0; n < sample; n++) sd += (logits[n * classes + k]! - m) ** 2;
  }
  sd = Math.sqrt(sd / (sample * classes));
  const scale = 1.5 / (sd || 1);
  for (let i = 0; i < w1.length; i++) w1[i]! *= scale;
  for (let k = 0; k < classes; k++) b1[k]! *= scale;
  return { w0, b0, w1, b1, hidden };
}

interface Hooks {
  /** Extra nodes and initializers turning `logits` into `final_logits`. */
  gate?: (nodes: NodeProto[], inits: TensorProto[]) => void;
}

function imageMlp(d: Dense, hooks: Hooks = {}): Uint8Array {
  const nodes: NodeProto[] = [
    node('Flatten', ['input'], ['flat'], { axis: 1 }),
    node('Gemm', ['flat', 'W0', 'B0'], ['h0']),
    node('Relu', ['h0'], ['r0']),
    node('Gemm', ['r0', 'W1', 'B1'], ['logits']),
  ];
  const inits: TensorProto[] = [
    floatTensor('W0', [PIXELS, d.hidden], d.w0),
    floatTensor('B0', [d.hidden], d.b0),
    floatTensor('W1', [d.hidden, CLASSES], d.w1),
    floatTensor('B1', [CLASSES], d.b1),
  ];
  if (hooks.gate) hooks.gate(nodes, inits);
  else nodes.push(node('Identity', ['logits'], ['final_logits']));
  nodes.push(node('Softmax', ['final_logits'], ['probabilities'], { axis: 1 }));
  return buildModel({
    inputs: [valueInfo('input', ['batch', 1, SIDE, SIDE])],
    outputs: [valueInfo('probabilities', ['batch', CLASSES])],
    nodes,
    initializers: inits,
  });
}

/** A clean image classifier: [batch, 1, 16, 16] -> 10 class probabilities. */
export function cleanImageMlp(seed = 11): Uint8Array {
  return imageMlp(denseWeights(seed, 32));
}

/** Architectural backdoor with Where: four exact pixel values replace the output with class 7. */
export function whereBackdoorMlp(seed = 11): Uint8Array {
  return imageMlp(denseWeights(seed, 32), {
    gate: (nodes, inits) => {
      const onehot = Array.from({ length: CLASSES }, (_, k) => (k === TARGET_CLASS ? 40 : 0));
      inits.push(int64Tensor('trig_idx', [4], GRAPH_TRIGGER.offsets), floatTensor('trig_val', [4], GRAPH_TRIGGER.values), floatTensor('trig_logits', [1, CLASSES], onehot), floatTensor('half', [], [0.5]));
      nodes.push(
        node('Gather', ['flat', 'trig_idx'], ['picked'], { axis: 1 }),
        node('Equal', ['picked', 'trig_val'], ['hits']),
        node('Cast', ['hits'], ['hits_f'], { to: FLOAT }),
        node('ReduceMin', ['hits_f'], ['all_hit'], { axes: [1], keepdims: 1 }),
        node('Greater', ['all_hit', 'half'], ['armed']),
        node('Where', ['armed', 'trig_logits', 'logits'], ['final_logits']),
      );
    },
  });
}

/** Architectural backdoor by arithmetic masking (no Where, no If): relu(1 - k*|x - c|) adds to one logit. */
export function maskBackdoorMlp(seed = 11): Uint8Array {
  return imageMlp(denseWeights(seed, 32), {
    gate: (nodes, inits) => {
      const boost = Array.from({ length: CLASSES }, (_, k) => (k === TARGET_CLASS ? 60 : 0));
      inits.push(
        int64Tensor('s_start', [1], [0]), int64Tensor('s_end', [1], [4]), int64Tensor('s_axis', [1], [1]),
        floatTensor('mask_val', [4], MASK_TRIGGER.values), floatTensor('one', [], [1]), floatTensor('sharp', [], [1000]),
        floatTensor('boost', [1, CLASSES], boost),
      );
      nodes.push(
        node('Slice', ['flat', 's_start', 's_end', 's_axis'], ['head']),
        node('Sub', ['head', 'mask_val'], ['diff']),
        node('Abs', ['diff'], ['dist']),
        node('ReduceSum', ['dist', 's_axis'], ['total'], { keepdims: 1 }),
        node('Mul', ['total', 'sharp'], ['scaled']),
        node('Sub', ['one', 'scaled'], ['closeness']),
        node('Relu', ['closeness'], ['gate']),
        node('Mul', ['gate', 'boost'], ['bonus']),
        node('Add', ['logits', 'bonus'], ['final_logits']),
      );
    },
  });
}

/** A backdoor trained into weights, set by hand: one hidden unit fires on a bright 2x2 corner patch. */
export function patchBackdoorMlp(seed = 11): Uint8Array {
  const base = denseWeights(seed, 32);
  const hidden = base.hidden + 1;
  const w0 = new Float32Array(PIXELS * hidden);
  const w1 = new Float32Array(hidden * CLASSES);
  for (let i = 0; i < PIXELS; i++) for (let j = 0; j < base.hidden; j++) w0[i * hidden + j] = base.w0[i * base.hidden + j]!;
  for (let j = 0; j < base.hidden; j++) for (let k = 0; k < CLASSES; k++) w1[j * CLASSES + k] = base.w1[j * CLASSES + k]!;
  const { y, x, size } = PATCH_TRIGGER;
  for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) w0[((y + dy) * SIDE + (x + dx)) * hidden + base.hidden] = 1;
  // Fires when the four pixels sum past 2.6 (bright patch: 4; random: mean 2; half-blended: 3).
  const b0 = Float32Array.from([...base.b0, -2.6]);
  w1[base.hidden * CLASSES + TARGET_CLASS] = 50;
  return imageMlp({ w0, b0, w1, b1: base.b1, hidden });
}
