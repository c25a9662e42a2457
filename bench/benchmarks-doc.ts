/**
 * BENCHMARKS.md's generated sections: each benchmark owns the text between
 * `<!-- name:start -->` and `<!-- name:end -->`, replaced on every run (the
 * section is appended at the end the first time).
 */
import { readFileSync, writeFileSync } from 'node:fs'

const file = 'BENCHMARKS.md'

/** `doc` with the section `name` replaced by `section` (which carries its own markers). */
export function withSection(doc: string, name: string, section: string): string {
  const pattern = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`)
  return pattern.test(doc)
    ? doc.replace(pattern, () => section)
    : `${doc.trimEnd()}\n\n${section}\n`
}

/** Reads BENCHMARKS.md, lets `change` rewrite it, writes it back. */
export function updateBenchmarks(change: (doc: string) => string): void {
  writeFileSync(file, change(readFileSync(file, 'utf8')))
}
