// Parses JavaScript with meriyah and lists the traits skimmers and miners show: listeners, card reads, sends, eval, obfuscation.

import type { Node } from 'acorn';
import { simple } from 'acorn-walk';
import { parseModule, parseScript } from 'meriyah';

export interface CodeTraits {
  parsed: boolean;
  hosts: Set<string>;
  listeners: Set<string>;
  /** Listener events with the element they watch, e.g. `submit on #payment-form`. */
  listenerTargets: Set<string>;
  cardReads: Set<string>;
  sends: Set<string>;
  dynamicCode: Set<string>;
  obfuscation: Set<string>;
  miner: Set<string>;
}

const FORM_EVENTS = new Set(['submit', 'input', 'change', 'keyup', 'keydown', 'mouseup', 'touchend', 'blur', 'click']);
const CARD_WORDS = /(card|cc[-_]?(num|number|exp|cvv|csc)|cvv|cvc|csc|expir|cardholder|billing|payment|checkout|cc-number|cc-csc|cc-exp)/i;
const MINER_WORDS = /(coinhive|cryptonight|cryptoloot|stratum\+tcp|webminepool|minero|coin-hive|xmrig|monero)/i;
const URL_LIKE = /^(?:(?:https?|wss?):)?\/\/([a-z0-9.-]+\.[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?/i;
const HOST_LIKE = /^([a-z0-9-]+\.)+(com|net|org|io|co|info|biz|xyz|top|ru|cn|su|pw|cc|link|site|online|shop|store|tech|app|dev|example|test)$/i;

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / text.length) * Math.log2(n / text.length);
  return h;
}

type AnyNode = Node & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function calleeName(node: AnyNode): string {
  const callee = node.callee as AnyNode;
  if (callee.type === 'Identifier') return callee.name as string;
  if (callee.type === 'MemberExpression') {
    const property = callee.property as AnyNode;
    const name = property.type === 'Identifier' ? property.name : property.type === 'Literal' ? String(property.value) : '';
    const object = callee.object as AnyNode;
    const owner = object.type === 'Identifier' ? `${object.name}.` : object.type === 'MemberExpression' && (object.property as AnyNode).type === 'Identifier' ? `${(object.property as AnyNode).name}.` : '';
    return `${owner}${name}`;
  }
  return '';
}

function literalText(node: AnyNode | undefined): string | null {
  if (!node) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral') return (node.quasis as AnyNode[]).map((q) => q.value.cooked ?? '').join('${}');
  return null;
}

/** A readable name for the element a listener is attached to: `#payment-form`, `form.checkout`, `document`. */
function describeTarget(node: AnyNode | undefined): string | null {
  if (!node) return null;
  if (node.type === 'Identifier') return node.name as string;
  if (node.type === 'CallExpression') {
    const selector = literalText((node.arguments as AnyNode[])[0]);
    const name = calleeName(node).replace(/^.*\./, '');
    if (selector && name === 'getElementById') return `#${selector.slice(0, 60)}`;
    if (selector && /^querySelector(All)?$/.test(name)) return selector.slice(0, 60);
    if (selector && name === 'getElementsByName') return `[name=${selector.slice(0, 60)}]`;
  }
  if (node.type === 'MemberExpression' && (node.property as AnyNode).type === 'Identifier') {
    const owner = describeTarget(node.object as AnyNode);
    return `${owner ? `${owner}.` : ''}${(node.property as AnyNode).name}`;
  }
  return null;
}

type TraitSet = Exclude<keyof CodeTraits, 'parsed'>;

function emptyTraits(): CodeTraits {
  return {
    parsed: false, hosts: new Set(), listeners: new Set(), listenerTargets: new Set(), cardReads: new Set(), sends: new Set(),
    dynamicCode: new Set(), obfuscation: new Set(), miner: new Set(),
  };
}

const ESCAPED = /\\x[0-9a-f]{2}(\\x[0-9a-f]{2}){3,}/i;

/** Character offsets in the code; nodes there count as added code. */
export interface Region {
  start: number;
  end: number;
}

/**
 * The traits of a whole script, and, when a region is given, of the code in that region alone: nodes that start in
 * it, and literals that overlap it (an edited URL inside an old string is added code).
 */
export function codeTraits(code: string, region?: Region): CodeTraits & { added?: CodeTraits } {
  const traits: CodeTraits & { added?: CodeTraits } = emptyTraits();
  const added = region ? emptyTraits() : undefined;
  if (added) traits.added = added;
  if (ESCAPED.test(code)) traits.obfuscation.add('\\x-escaped strings');
  if (added && region && ESCAPED.test(code.slice(region.start, region.end))) added.obfuscation.add('\\x-escaped strings');
  // meriyah builds the same ESTree shapes acorn does, about twice as fast; acorn-walk walks either.
  let ast: Node;
  try {
    ast = parseScript(code, { next: true, webcompat: true, globalReturn: true, ranges: true }) as unknown as Node;
  } catch {
    try {
      ast = parseModule(code, { next: true, ranges: true }) as unknown as Node;
    } catch {
      return traits;
    }
  }
  traits.parsed = true;
  if (added) added.parsed = true;
  const starts = (node: AnyNode) => region !== undefined && node.start >= region.start && node.start < region.end;
  const overlaps = (node: AnyNode) => region !== undefined && node.start < region.end && node.end > region.start;
  let inRegion = false;
  const put = (set: TraitSet, value: string) => {
    traits[set].add(value);
    if (inRegion) added![set].add(value);
  };
  const strings = (text: string) => {
    const url = URL_LIKE.exec(text);
    if (url) put('hosts', url[1]!.toLowerCase());
    else if (HOST_LIKE.test(text)) put('hosts', text.toLowerCase());
    if (text.length < 80 && CARD_WORDS.test(text)) put('cardReads', `"${text}"`);
    if (MINER_WORDS.test(text)) put('miner', text.slice(0, 40));
    if (text.length >= 120 && /^[A-Za-z0-9+/=]+$/.test(text)) put('obfuscation', `base64 literal of ${text.length} chars`);
    else if (text.length >= 120 && /^[0-9a-f]+$/i.test(text)) put('obfuscation', `hex literal of ${text.length} chars`);
    else if (text.length >= 200 && entropy(text) > 5.2) put('obfuscation', `high-entropy string of ${text.length} chars`);
  };
  simple(ast, {
    Literal(node: AnyNode) {
      if (typeof node.value !== 'string') return;
      inRegion = overlaps(node);
      strings(node.value);
    },
    TemplateElement(node: AnyNode) {
      if (typeof node.value?.cooked !== 'string') return;
      inRegion = overlaps(node);
      strings(node.value.cooked);
    },
    CallExpression(node: AnyNode) {
      inRegion = starts(node);
      const name = calleeName(node);
      const first = literalText((node.arguments as AnyNode[])[0]);
      if (name.endsWith('addEventListener') && first && FORM_EVENTS.has(first.toLowerCase())) {
        put('listeners', first.toLowerCase());
        const target = describeTarget((node.callee as AnyNode).object as AnyNode | undefined);
        put('listenerTargets', target ? `${first.toLowerCase()} on ${target}` : first.toLowerCase());
      }
      const short = name.replace(/^.*\./, '');
      if (name === 'fetch' || short === 'sendBeacon' || short === 'ajax' || (short === 'post' && name.includes('.'))) put('sends', short);
      if (short === 'open' && first && /^(post|get|put)$/i.test(first)) put('sends', 'XMLHttpRequest');
      if (name === 'eval' || name === 'Function' || name.endsWith('.eval')) put('dynamicCode', short);
      if (name === 'atob' || name.endsWith('.atob')) put('dynamicCode', 'atob');
      if (/^(querySelector|querySelectorAll|getElementById|getElementsByName)$/.test(short) && first && CARD_WORDS.test(first)) {
        put('cardReads', `${short}("${first.slice(0, 40)}")`);
      }
      if (/WebAssembly\.(instantiate|instantiateStreaming|compile)$/.test(name)) put('miner', name);
      if (name.endsWith('createObjectURL')) put('miner', 'worker or script from a blob');
    },
    NewExpression(node: AnyNode) {
      inRegion = starts(node);
      const callee = node.callee as AnyNode;
      const name = callee.type === 'Identifier' ? callee.name : '';
      if (name === 'WebSocket') put('sends', 'WebSocket');
      if (name === 'XMLHttpRequest') put('sends', 'XMLHttpRequest');
      if (name === 'Image') put('sends', 'Image beacon');
      if (name === 'Function') put('dynamicCode', 'Function');
    },
    MemberExpression(node: AnyNode) {
      inRegion = starts(node);
      const property = node.property as AnyNode;
      const object = node.object as AnyNode;
      if (property.type === 'Identifier' && property.name === 'forms' && object.type === 'Identifier' && object.name === 'document') put('cardReads', 'document.forms');
      if (property.type === 'Identifier' && property.name === 'write' && object.name === 'document') put('dynamicCode', 'document.write');
      if (node.computed && property.type === 'Literal' && property.value === 'eval') put('dynamicCode', 'eval');
    },
    AssignmentExpression(node: AnyNode) {
      inRegion = starts(node);
      const left = node.left as AnyNode;
      if (left.type === 'MemberExpression' && (left.property as AnyNode).type === 'Identifier' && /^on(submit|input|change|keyup|mouseup|touchend|click)$/.test((left.property as AnyNode).name)) {
        put('listeners', ((left.property as AnyNode).name as string).slice(2));
      }
    },
  });
  return traits;
}
