/**
 * Invoice images for the OCR tests, rendered with ImageMagick (no downloaded
 * data), and the probe for what reading them needs.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { probeSandbox } from '../../src/runtime/index.js'
import type { EngineProbe } from '../support/engines.js'

/** tesseract and ImageMagick on PATH, and the subprocess sandbox ocr_tesseract runs in. */
export async function probeOcrTools(): Promise<EngineProbe<void>> {
  for (const [tool, flag] of [
    ['tesseract', '--version'],
    ['convert', '-version'],
  ] as const) {
    const result = spawnSync(tool, [flag], { encoding: 'utf8' })
    if (result.status !== 0)
      return {
        ok: false,
        reason: `${tool} ${flag} failed: ${result.error?.message ?? result.stderr}`,
      }
  }
  const sandbox = await probeSandbox()
  if (!sandbox.available) return { ok: false, reason: `no subprocess sandbox: ${sandbox.reason}` }
  return { ok: true, value: undefined }
}

/** One line of an invoice image: where it is drawn and what it says. */
export type Line = readonly [x: number, y: number, text: string]

/** Renders black DejaVu Sans text on white, like a scanned page; returns the file's base64. */
export function render(dir: string, name: string, lines: readonly Line[], format = 'png'): string {
  const file = join(dir, `${name}.${format}`)
  const args = ['-size', '1200x900', 'xc:white', '-font', 'DejaVu-Sans', '-pointsize', '28']
  args.push('-fill', 'black')
  for (const [x, y, text] of lines) args.push('-annotate', `+${x}+${y}`, text)
  const result = spawnSync('convert', [...args, file], { encoding: 'utf8' })
  expect(result.status, result.stderr).toBe(0)
  return readFileSync(file).toString('base64')
}
