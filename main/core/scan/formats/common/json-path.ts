// JSONPath-like pointers for finding locations: `$.config.layers[3].config.function`, with
// bracket notation for keys that are not plain identifiers (`$["tokenizer.chat_template"]`).

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

export function appendPath(path: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  return PLAIN_KEY.test(segment) ? `${path}.${segment}` : `${path}[${JSON.stringify(segment)}]`;
}

export function jsonPath(segments: readonly PathSegment[], root = '$'): string {
  return segments.reduce<string>(appendPath, root);
}
