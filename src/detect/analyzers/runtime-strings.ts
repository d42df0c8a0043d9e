// Run-time string building that obfuscators emit and ordinary code does not: names from numbers, char codes, rotated arrays.

import type { Node } from 'acorn';

type AnyNode = Node & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const isNumber = (node: AnyNode | undefined) => node?.type === 'Literal' && typeof node.value === 'number';

/** Run-time string building that obfuscators emit, and ordinary code does not. */
export function runtimeStringTraits(node: AnyNode, name: string, args: AnyNode[], put: (value: string) => void, calleeName: (node: AnyNode) => string): void {
  const callee = node.callee as AnyNode;
  const short = name.replace(/^.*\./, '');
  // (1234567).toString(36): a word hidden in a number
  if (short === 'toString' && callee.type === 'MemberExpression' && isNumber(callee.object as AnyNode) && isNumber(args[0]) && (args[0]!.value as number) > 16) {
    put('names built from numbers with toString(36)');
  }
  // String.fromCharCode(102, 101, 116, 99, 104), String.fromCharCode.apply(null, [..]), String.fromCharCode(...[..])
  if (short === 'fromCharCode' && (args.filter(isNumber).length >= 3 || args.some((a) => a.type === 'SpreadElement' && (a.argument as AnyNode).type === 'ArrayExpression'))) {
    put('strings built from char codes (String.fromCharCode)');
  }
  if (short === 'apply' && /fromCharCode$/.test(calleeName({ callee: callee.object } as unknown as AnyNode)) && (args[1] as AnyNode | undefined)?.type === 'ArrayExpression') {
    put('strings built from char codes (String.fromCharCode)');
  }
  // []["flat"]["constructor"](…)(), ["fetch"][0]: calls reached through array literals, as JSFuck-style code does
  let object = callee.type === 'MemberExpression' ? (callee.object as AnyNode) : null;
  while (object?.type === 'MemberExpression') {
    if ((object.object as AnyNode).type === 'ArrayExpression' && object.computed) break;
    object = object.object as AnyNode;
  }
  if (callee.type === 'MemberExpression' && callee.computed && (object?.type === 'MemberExpression' || (callee.object as AnyNode).type === 'ArrayExpression')) {
    put('calls reached through array literals ([…][…](…))');
  }
  // arr.push(arr.shift()) in a loop: the string array of an obfuscator, rotated before use
  if (short === 'push' && args[0]?.type === 'CallExpression' && /shift$/.test(calleeName(args[0]))) put('a string array rotated at run time (push(shift()))');
}
