// Parses JavaScript with acorn and lists the traits skimmers and miners show: listeners, card reads, sends, eval, obfuscation.

import { parse, type Node } from 'acorn';
import { simple } from 'acorn-walk';

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

export function codeTraits(code: string): CodeTraits {
  const traits: CodeTraits = {
    parsed: false, hosts: new Set(), listeners: new Set(), listenerTargets: new Set(), cardReads: new Set(), sends: new Set(),
    dynamicCode: new Set(), obfuscation: new Set(), miner: new Set(),
  };
  if (/\\x[0-9a-f]{2}(\\x[0-9a-f]{2}){3,}/i.test(code)) traits.obfuscation.add('\\x-escaped strings');
  let ast: Node;
  try {
    ast = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true, allowReturnOutsideFunction: true });
  } catch {
    try {
      ast = parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
    } catch {
      return traits;
    }
  }
  traits.parsed = true;
  const strings = (text: string) => {
    const url = URL_LIKE.exec(text);
    if (url) traits.hosts.add(url[1]!.toLowerCase());
    else if (HOST_LIKE.test(text)) traits.hosts.add(text.toLowerCase());
    if (CARD_WORDS.test(text) && text.length < 80) traits.cardReads.add(`"${text}"`);
    if (MINER_WORDS.test(text)) traits.miner.add(text.slice(0, 40));
    if (text.length >= 120 && /^[A-Za-z0-9+/=]+$/.test(text)) traits.obfuscation.add(`base64 literal of ${text.length} chars`);
    else if (text.length >= 120 && /^[0-9a-f]+$/i.test(text)) traits.obfuscation.add(`hex literal of ${text.length} chars`);
    else if (text.length >= 200 && entropy(text) > 5.2) traits.obfuscation.add(`high-entropy string of ${text.length} chars`);
  };
  simple(ast, {
    Literal(node: AnyNode) {
      if (typeof node.value === 'string') strings(node.value);
    },
    TemplateElement(node: AnyNode) {
      if (typeof node.value?.cooked === 'string') strings(node.value.cooked);
    },
    CallExpression(node: AnyNode) {
      const name = calleeName(node);
      const first = literalText((node.arguments as AnyNode[])[0]);
      if (name.endsWith('addEventListener') && first && FORM_EVENTS.has(first.toLowerCase())) {
        traits.listeners.add(first.toLowerCase());
        const target = describeTarget((node.callee as AnyNode).object as AnyNode | undefined);
        traits.listenerTargets.add(target ? `${first.toLowerCase()} on ${target}` : first.toLowerCase());
      }
      const short = name.replace(/^.*\./, '');
      if (name === 'fetch' || short === 'sendBeacon' || short === 'ajax' || (short === 'post' && name.includes('.'))) traits.sends.add(short);
      if (short === 'open' && first && /^(post|get|put)$/i.test(first)) traits.sends.add('XMLHttpRequest');
      if (name === 'eval' || name === 'Function' || name.endsWith('.eval')) traits.dynamicCode.add(name.replace(/^.*\./, ''));
      if (name === 'atob' || name.endsWith('.atob')) traits.dynamicCode.add('atob');
      if (/^(document\.)?(querySelector|querySelectorAll|getElementById|getElementsByName)$/.test(name.replace(/^document\./, 'document.')) && first && CARD_WORDS.test(first)) {
        traits.cardReads.add(`${name.replace(/^.*\./, '')}("${first.slice(0, 40)}")`);
      }
      if (/WebAssembly\.(instantiate|instantiateStreaming|compile)$/.test(name)) traits.miner.add(name);
      if (name.endsWith('createObjectURL')) traits.miner.add('worker or script from a blob');
    },
    NewExpression(node: AnyNode) {
      const callee = node.callee as AnyNode;
      const name = callee.type === 'Identifier' ? callee.name : '';
      if (name === 'WebSocket') traits.sends.add('WebSocket');
      if (name === 'XMLHttpRequest') traits.sends.add('XMLHttpRequest');
      if (name === 'Image') traits.sends.add('Image beacon');
      if (name === 'Function') traits.dynamicCode.add('Function');
    },
    MemberExpression(node: AnyNode) {
      const property = node.property as AnyNode;
      if (property.type === 'Identifier' && property.name === 'forms' && (node.object as AnyNode).type === 'Identifier' && (node.object as AnyNode).name === 'document') {
        traits.cardReads.add('document.forms');
      }
      if (property.type === 'Identifier' && property.name === 'write' && (node.object as AnyNode).name === 'document') traits.dynamicCode.add('document.write');
      if (node.computed && property.type === 'Literal' && property.value === 'eval') traits.dynamicCode.add('eval');
    },
    AssignmentExpression(node: AnyNode) {
      const left = node.left as AnyNode;
      if (left.type === 'MemberExpression' && (left.property as AnyNode).type === 'Identifier' && /^on(submit|input|change|keyup|mouseup|touchend|click)$/.test((left.property as AnyNode).name)) {
        traits.listeners.add(((left.property as AnyNode).name as string).slice(2));
      }
    },
  });
  return traits;
}
