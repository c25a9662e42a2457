/**
 * A cheap upper bound on how deeply a YAML text nests, computed before the
 * YAML parser sees it. The parser recurses per level; a stack overflow inside
 * it (about a thousand levels) has been seen to leave V8 unable to compile
 * regular expressions, so the next parse aborts the whole process. Registry
 * files nest a handful of levels, so anything past the limit is refused first.
 */

/** Deepest nesting a registry file may have. */
export const registryMaxDepth = 64

/**
 * The estimated nesting depth of `text`, at least the parser's: block levels
 * (an indentation stack plus `- ` chains) plus open flow brackets outside
 * quotes and comments. Stops counting once past `limit`.
 */
export function nestingDepth(text: string, limit = registryMaxDepth): number {
  const indents: number[] = []
  let flow = 0
  let deepest = 0
  for (const line of text.split('\n')) {
    const body = line.trimStart()
    let block = indents.length
    if (flow === 0 && body !== '' && !body.startsWith('#')) {
      const indent = line.length - body.length
      while (indents.length > 0 && (indents.at(-1) ?? 0) > indent) indents.pop()
      if (indents.length === 0 || (indents.at(-1) ?? 0) < indent) indents.push(indent)
      block =
        indents.length + (/^(?:[-?](?:\s+|$))+/.exec(body)?.[0].replace(/\s/g, '').length ?? 0)
    }
    flow = scanFlow(body, flow, (depth) => {
      deepest = Math.max(deepest, block + depth)
    })
    deepest = Math.max(deepest, block + flow)
    if (deepest > limit) return deepest
  }
  return deepest
}

/** Tracks flow brackets through one line; quotes start only where a scalar may start. */
function scanFlow(line: string, start: number, seen: (depth: number) => void): number {
  let depth = start
  let quote: string | undefined
  let previous = ' '
  for (let i = 0; i < line.length; i++) {
    const char = line[i] ?? ''
    if (quote !== undefined) {
      if (char === '\\' && quote === '"') i++
      else if (char === quote) quote = undefined
      continue
    }
    if (char === '#' && /\s/.test(previous)) break
    if ((char === '"' || char === "'") && /[\s:,[{?-]/.test(previous)) quote = char
    else if (char === '[' || char === '{') seen(++depth)
    else if ((char === ']' || char === '}') && depth > 0) depth--
    if (!/\s/.test(char)) previous = char
    else previous = ' '
  }
  return depth
}
