/**
 * Execute arguments (LwM2M Core 1.1.1 6.3.5; 1.0.2 5.4.5): a comma-separated list of arguments,
 * each a single digit 0..9 optionally followed by `='text'`, e.g. `0='x',6`. The text is printable
 * US-ASCII without space, double quote, single quote and backslash.
 */
import { CodecError } from '../errors.ts';

/** One argument: its number and its text value when one was given. */
export interface ExecuteArgument {
  readonly id: number;
  readonly value: string | undefined;
}

/** The parsed arguments of an Execute. */
export class ExecuteArguments {
  static readonly NONE = new ExecuteArguments('', []);

  /** The payload text as received. */
  readonly raw: string;
  /** Arguments in the order given. */
  readonly list: readonly ExecuteArgument[];

  constructor(raw: string, list: readonly ExecuteArgument[]) {
    this.raw = raw;
    this.list = Object.freeze(list.slice());
  }

  /** Whether argument `id` is present (with or without a value). */
  has(id: number): boolean {
    return this.list.some((a) => a.id === id);
  }

  /** The value of argument `id` (the last one when repeated), undefined when absent or valueless. */
  get(id: number): string | undefined {
    let out: string | undefined;
    for (const a of this.list) if (a.id === id) out = a.value;
    return out;
  }

  get size(): number {
    return this.list.length;
  }
}

function isArgChar(c: number): boolean {
  return c === 0x21 || (c >= 0x23 && c <= 0x26) || (c >= 0x28 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

/**
 * Parses an Execute payload (already decoded as text). An empty payload has no arguments. Anything
 * outside the grammar is a CodecError (the Execute answers 4.00).
 */
export function parseExecuteArguments(text: string): ExecuteArguments {
  if (text === '') return ExecuteArguments.NONE;
  const list: ExecuteArgument[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new CodecError(`invalid Execute arguments at offset ${i}: ${why}`);
  };
  for (;;) {
    const d = text.charCodeAt(i);
    if (!(d >= 0x30 && d <= 0x39)) fail('expected an argument digit 0..9');
    const id = d - 0x30;
    i++;
    let value: string | undefined;
    if (text[i] === '=') {
      i++;
      if (text[i] !== "'") fail("expected ' after =");
      i++;
      const start = i;
      while (i < text.length && text[i] !== "'") {
        if (!isArgChar(text.charCodeAt(i))) fail(`character ${JSON.stringify(text[i])} is not allowed in an argument value`);
        i++;
      }
      if (i >= text.length) fail('unterminated argument value');
      value = text.slice(start, i);
      i++;
    }
    list.push({ id, value });
    if (i === text.length) break;
    if (text[i] !== ',') fail("expected ',' between arguments");
    i++;
    if (i === text.length) fail("trailing ','");
  }
  return new ExecuteArguments(text, list);
}
