// Parses JavaScript with meriyah and lists the traits skimmers and miners show: listeners, card reads, sends, eval, obfuscation.

import type { Node } from 'acorn';
import { simple } from 'acorn-walk';
import { parseModule, parseScript } from 'meriyah';
import { isReferenceUrl, namesCardField, selectsPaymentField } from './field-words.js';
import { createFolder, type Constant } from './constant-fold.js';
import { runtimeStringTraits } from './runtime-strings.js';

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
  /** Strings and property names computed at run time: toString(36) over numbers, char-code arrays, string-array rotation. */
  runtimeStrings: Set<string>;
  miner: Set<string>;
}

const FORM_EVENTS = new Set(['submit', 'input', 'change', 'keyup', 'keydown', 'mouseup', 'touchend', 'blur', 'click']);
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

function calleeName(node: AnyNode, fold?: (n: AnyNode) => Constant | null): string {
  const callee = node.callee as AnyNode;
  if (callee.type === 'Identifier') return callee.name as string;
  if (callee.type === 'MemberExpression') {
    const property = callee.property as AnyNode;
    const folded = callee.computed && fold && property.type !== 'Literal' ? fold(property) : null;
    const name = !callee.computed && property.type === 'Identifier' ? property.name : property.type === 'Literal' ? String(property.value) : typeof folded === 'string' ? folded : '';
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

const DOM_LOOKUPS = /^(querySelector|querySelectorAll|getElementById|getElementsByName|getElementsByClassName|closest|matches|\$|jQuery|find)$/;

/** The name a member expression reads: `number` in `f.number`, `cc-number` in `elements['cc-number']`. */
function memberName(node: AnyNode): string | null {
  const property = node.property as AnyNode;
  if (!node.computed && property.type === 'Identifier') return property.name as string;
  if (node.computed && property.type === 'Literal' && typeof property.value === 'string') return property.value;
  return null;
}

/** An expression that reads an element's name, id or autocomplete: `el.name`, `i.getAttribute('autocomplete')`. */
function fieldNameRead(node: AnyNode | undefined): boolean {
  if (!node) return false;
  if (node.type === 'MemberExpression') {
    const name = memberName(node);
    return name !== null && /^(name|id|autocomplete|placeholder|type|className|ariaLabel)$/.test(name);
  }
  if (node.type === 'CallExpression') return /getAttribute$/.test(calleeName(node));
  return false;
}

function emptyTraits(): CodeTraits {
  return {
    parsed: false, hosts: new Set(), listeners: new Set(), listenerTargets: new Set(), cardReads: new Set(), sends: new Set(),
    dynamicCode: new Set(), obfuscation: new Set(), runtimeStrings: new Set(), miner: new Set(),
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
    // A namespace, documentation or licence URL names a document; it is not a place the code sends data to.
    const url = URL_LIKE.exec(text);
    if (url) {
      if (!isReferenceUrl(text)) put('hosts', url[1]!.toLowerCase());
    } else if (HOST_LIKE.test(text)) put('hosts', text.toLowerCase());
    if (MINER_WORDS.test(text)) put('miner', text.slice(0, 40));
    if (text.length >= 120 && /^[A-Za-z0-9+/=]+$/.test(text)) put('obfuscation', `base64 literal of ${text.length} chars`);
    else if (text.length >= 120 && /^[0-9a-f]+$/i.test(text)) put('obfuscation', `hex literal of ${text.length} chars`);
    else if (text.length >= 200 && entropy(text) > 5.2) put('obfuscation', `high-entropy string of ${text.length} chars`);
  };
  const fold = createFolder();
  /** A computed expression in a place a string is used (an argument, a value): what it evaluates to counts as a string. */
  const folded = (node: AnyNode | null | undefined) => {
    if (!node || node.type === 'Literal' || node.type === 'Identifier' || node.type === 'TemplateLiteral' && (node.expressions as AnyNode[]).length === 0) return;
    const value = fold(node);
    if (typeof value === 'string' && value.length > 3) strings(value);
  };
  let tableCalls = 0;
  let tableCallsInRegion = 0;
  simple(ast, {
    VariableDeclarator(node: AnyNode) {
      inRegion = starts(node);
      folded(node.init);
    },
    Property(node: AnyNode) {
      inRegion = starts(node);
      folded(node.value);
    },
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
      const name = calleeName(node, fold);
      const args = node.arguments as AnyNode[];
      args.forEach(folded);
      const foldedFirst = args[0] ? fold(args[0]) : null;
      const first = literalText(args[0]) ?? (typeof foldedFirst === 'string' ? foldedFirst : null);
      runtimeStringTraits(node, name, args, (value) => put('runtimeStrings', value), calleeName);
      const callee = node.callee as AnyNode;
      // obfuscator-style lookups: a[b(0x1f)](…), the name of every call fetched from a string table
      if (callee.type === 'MemberExpression' && callee.computed && (callee.property as AnyNode).type === 'CallExpression'
        && ((callee.property as AnyNode).arguments as AnyNode[]).some((a) => a.type === 'Literal' && typeof a.value === 'number' || (a.type === 'Literal' && typeof a.value === 'string' && /^0x/.test(a.value)))) {
        tableCalls++;
        if (inRegion) tableCallsInRegion++;
      }
      if (name.endsWith('addEventListener') && first && FORM_EVENTS.has(first.toLowerCase())) {
        put('listeners', first.toLowerCase());
        const target = describeTarget((node.callee as AnyNode).object as AnyNode | undefined);
        put('listenerTargets', target ? `${first.toLowerCase()} on ${target}` : first.toLowerCase());
      }
      const short = name.replace(/^.*\./, '');
      if (name === 'fetch' || /^(window|self|globalThis)\.fetch$/.test(name) || short === 'sendBeacon' || short === 'ajax' || (short === 'post' && name.includes('.'))) put('sends', short);
      if (short === 'open' && first && /^(post|get|put)$/i.test(first)) put('sends', 'XMLHttpRequest');
      if (name === 'eval' || name === 'Function' || name.endsWith('.eval')) put('dynamicCode', short);
      // x["constructor"]("code"): the Function constructor reached through any function
      if (short === 'constructor' && callee.type === 'MemberExpression' && callee.computed && first !== null) put('dynamicCode', 'Function (through constructor)');
      if (name === 'atob' || name.endsWith('.atob')) put('dynamicCode', 'atob');
      // Card words count where code looks a field up, never in prose or in lists of names (an SDK's scrub list).
      if (DOM_LOOKUPS.test(short) && first && selectsPaymentField(first)) put('cardReads', `${short}("${first.slice(0, 40)}")`);
      // A pattern tested against a field's name or id: /card|cvv/.test(input.name).
      if (/^(test|exec)$/.test(short) && callee.type === 'MemberExpression' && (callee.object as AnyNode).regex && namesCardField(String((callee.object as AnyNode).regex.pattern).replace(/[|()\\^$?*+[\]]/g, ' ')) && fieldNameRead((node.arguments as AnyNode[])[0])) {
        put('cardReads', `/${String((callee.object as AnyNode).regex.pattern).slice(0, 40)}/.${short}(…)`);
      }
      if (/WebAssembly\.(instantiate|instantiateStreaming|compile)$/.test(name)) put('miner', name);
      if (name.endsWith('createObjectURL')) put('miner', 'worker or script from a blob');
    },
    NewExpression(node: AnyNode) {
      inRegion = starts(node);
      (node.arguments as AnyNode[]).forEach(folded);
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
      // form.cardnumber.value, elements['cc-number'], f["card_cvv"].value: a card field reached by its name.
      const key = memberName(node);
      if (node.computed && key !== null && namesCardField(key)) put('cardReads', `["${key.slice(0, 40)}"]`);
      const owner = key === 'value' && object.type === 'MemberExpression' ? memberName(object) : null;
      if (owner !== null && namesCardField(owner)) put('cardReads', `${owner.slice(0, 40)}.value`);
      if (property.type === 'Identifier' && property.name === 'write' && object.name === 'document') put('dynamicCode', 'document.write');
      const computedKey = node.computed && property.type !== 'Literal' ? fold(property) : null;
      if (node.computed && (property.type === 'Literal' ? property.value : computedKey) === 'eval') put('dynamicCode', 'eval');
      if (typeof computedKey === 'string' && /^(sendBeacon|fetch|open|send|postMessage|createDataChannel|getElementById|querySelector|querySelectorAll|value|atob|eval|Function|write|src|href|action|cookie|localStorage|WebSocket|XMLHttpRequest|Image)$/.test(computedKey)) {
        put('runtimeStrings', `property names built at run time (["${computedKey}"])`);
      }
    },
    BinaryExpression(node: AnyNode) {
      // el.name === 'cardnumber', input.getAttribute('autocomplete') == 'cc-csc'
      if (!/^[!=]==?$/.test(node.operator as string)) return;
      inRegion = starts(node);
      for (const [a, b] of [[node.left, node.right], [node.right, node.left]] as AnyNode[][]) {
        const text = literalText(a);
        if (text !== null && text.length < 60 && namesCardField(text) && fieldNameRead(b)) put('cardReads', `compares a field's name with "${text}"`);
      }
    },
    AssignmentExpression(node: AnyNode) {
      inRegion = starts(node);
      folded(node.right as AnyNode);
      const left = node.left as AnyNode;
      if (left.type === 'MemberExpression' && (left.property as AnyNode).type === 'Identifier' && /^on(submit|input|change|keyup|mouseup|touchend|click)$/.test((left.property as AnyNode).name)) {
        put('listeners', ((left.property as AnyNode).name as string).slice(2));
      }
    },
  });
  if (tableCalls >= 5) {
    traits.runtimeStrings.add(`${tableCalls} calls whose names come from a string table (a[b(0x1f)](…))`);
    if (added && tableCallsInRegion >= 5) added.runtimeStrings.add(`${tableCallsInRegion} calls whose names come from a string table (a[b(0x1f)](…))`);
  }
  return traits;
}
