// Evaluates simple constant expressions of a parsed script ('fe'+'tch', String.fromCharCode(…), (123).toString(36), atob('…')), bounded and memoised.

type AnyNode = { type: string; [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Constant = string | number | Constant[];

const MAX_STRING = 4096;
const MAX_ARRAY = 512;
const MAX_DEPTH = 24;

function clamp(value: Constant | null): Constant | null {
  if (typeof value === 'string' && value.length > MAX_STRING) return null;
  if (Array.isArray(value) && value.length > MAX_ARRAY) return null;
  return value;
}

function decodeBase64(text: string): string | null {
  if (!/^[A-Za-z0-9+/=_-]*$/.test(text)) return null;
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
}

function propertyName(node: AnyNode, fold: (n: AnyNode) => Constant | null): string | null {
  if (!node.computed && node.property?.type === 'Identifier') return node.property.name;
  const key = fold(node.property);
  return typeof key === 'string' || typeof key === 'number' ? String(key) : null;
}

function callMethod(target: Constant, method: string, args: (Constant | null)[]): Constant | null {
  if (typeof target === 'number') {
    if (method === 'toString') {
      const radix = typeof args[0] === 'number' ? args[0] : 10;
      return radix >= 2 && radix <= 36 && Number.isFinite(target) ? target.toString(radix) : null;
    }
    return null;
  }
  if (typeof target === 'string') {
    switch (method) {
      case 'split': return typeof args[0] === 'string' ? target.split(args[0]).slice(0, MAX_ARRAY) : null;
      case 'toLowerCase': return target.toLowerCase();
      case 'toUpperCase': return target.toUpperCase();
      case 'trim': return target.trim();
      case 'concat': return args.every((a) => typeof a === 'string' || typeof a === 'number') ? target + args.join('') : null;
      case 'charAt': return typeof args[0] === 'number' ? target.charAt(args[0]) : null;
      case 'substr': case 'substring': case 'slice':
        return typeof args[0] === 'number' && (args[1] === undefined || typeof args[1] === 'number')
          ? (target as unknown as Record<string, (a: number, b?: number) => string>)[method]!(args[0], args[1] as number | undefined) : null;
      case 'replace':
        return typeof args[0] === 'string' && typeof args[1] === 'string' ? target.replace(args[0], args[1]) : null;
      default: return null;
    }
  }
  switch (method) {
    case 'reverse': return [...target].reverse();
    case 'join': return target.every((t) => typeof t === 'string' || typeof t === 'number') ? target.join(typeof args[0] === 'string' ? args[0] : ',') : null;
    case 'concat': return args.every((a) => a !== null) ? target.concat(...(args as Constant[])) : null;
    default: return null;
  }
}

/**
 * A folder over one AST: `fold(node)` gives the constant the expression always evaluates to, or null. Results are
 * memoised per node, so folding every node of a long `'a' + 'b' + …` chain stays linear.
 */
export function createFolder(): (node: AnyNode | null | undefined) => Constant | null {
  const memo = new WeakMap<object, Constant | null>();
  const fold = (node: AnyNode | null | undefined, depth = 0): Constant | null => {
    if (!node || depth > MAX_DEPTH) return null;
    if (memo.has(node)) return memo.get(node)!;
    memo.set(node, null);
    const inner = (n: AnyNode) => fold(n, depth + 1);
    let value: Constant | null = null;
    switch (node.type) {
      case 'Literal':
        value = typeof node.value === 'string' || typeof node.value === 'number' ? node.value : null;
        break;
      case 'TemplateLiteral':
        if ((node.expressions as AnyNode[]).length === 0) value = (node.quasis as AnyNode[]).map((q) => q.value.cooked ?? '').join('');
        else {
          const parts = (node.expressions as AnyNode[]).map(inner);
          if (parts.every((p) => typeof p === 'string' || typeof p === 'number')) {
            value = (node.quasis as AnyNode[]).map((q, i) => `${q.value.cooked ?? ''}${i < parts.length ? parts[i] : ''}`).join('');
          }
        }
        break;
      case 'ArrayExpression': {
        const items = (node.elements as (AnyNode | null)[]).map((e) => (e && e.type !== 'SpreadElement' ? inner(e) : null));
        value = items.every((i) => i !== null) ? (items as Constant[]) : null;
        break;
      }
      case 'UnaryExpression':
        if (node.operator === '-') {
          const v = inner(node.argument);
          value = typeof v === 'number' ? -v : null;
        }
        break;
      case 'BinaryExpression': {
        const left = inner(node.left);
        const right = left === null ? null : inner(node.right);
        if (left === null || right === null || Array.isArray(left) || Array.isArray(right)) break;
        if (node.operator === '+') value = typeof left === 'number' && typeof right === 'number' ? left + right : `${left}${right}`;
        else if (typeof left === 'number' && typeof right === 'number') {
          const ops: Record<string, (a: number, b: number) => number> = { '-': (a, b) => a - b, '*': (a, b) => a * b, '^': (a, b) => a ^ b, '%': (a, b) => a % b, '|': (a, b) => a | b, '&': (a, b) => a & b };
          value = ops[node.operator] ? ops[node.operator]!(left, right) : null;
        }
        break;
      }
      case 'MemberExpression': {
        const object = inner(node.object);
        if (object === null) break;
        const key = propertyName(node, inner);
        if (key === 'length' && (typeof object === 'string' || Array.isArray(object))) value = object.length;
        else if (key !== null && /^\d+$/.test(key) && (typeof object === 'string' || Array.isArray(object))) value = object[Number(key)] ?? null;
        break;
      }
      case 'CallExpression': {
        const callee = node.callee as AnyNode;
        const args = (node.arguments as AnyNode[]).map(inner);
        if (callee.type === 'Identifier' && (callee.name === 'atob' || callee.name === 'unescape' || callee.name === 'decodeURIComponent') && typeof args[0] === 'string') {
          try {
            value = callee.name === 'atob' ? decodeBase64(args[0]) : callee.name === 'unescape' ? unescape(args[0]) : decodeURIComponent(args[0]);
          } catch {
            value = null;
          }
          break;
        }
        if (callee.type !== 'MemberExpression') break;
        const method = propertyName(callee, inner);
        if (method === null) break;
        const owner = callee.object as AnyNode;
        const ownerName = owner.type === 'Identifier' ? owner.name : owner.type === 'MemberExpression' ? propertyName(owner, inner) : null;
        if (method === 'fromCharCode' && ownerName === 'String') {
          value = args.length > 0 && args.every((a) => typeof a === 'number') ? String.fromCharCode(...(args as number[])) : null;
        } else if (method === 'apply' && ownerName === 'fromCharCode' && Array.isArray(args[1]) && args[1].every((a) => typeof a === 'number')) {
          value = String.fromCharCode(...(args[1] as number[]));
        } else if (method === 'atob' && typeof args[0] === 'string') {
          value = decodeBase64(args[0]);
        } else {
          const target = inner(owner);
          value = target === null ? null : callMethod(target, method, args);
        }
        break;
      }
      default:
        value = null;
    }
    value = clamp(value);
    memo.set(node, value);
    return value;
  };
  return (node) => fold(node);
}
