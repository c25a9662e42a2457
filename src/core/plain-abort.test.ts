import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { TaskTimedOutError } from './errors/index.js'
import { PlainAbortController } from './plain-abort.js'

describe('PlainAbortController', () => {
  it('aborts once: the first reason stays, listeners and onabort run once', () => {
    const controller = new PlainAbortController()
    const { signal } = controller
    const seen: string[] = []
    signal.addEventListener('abort', (event) => seen.push(`listener:${event.type}`))
    signal.addEventListener('abort', () => seen.push('once'), { once: true })
    signal.onabort = () => seen.push('onabort')
    expect(signal.aborted).toBe(false)
    expect(() => signal.throwIfAborted()).not.toThrow()

    const reason = new TaskTimedOutError({ taskId: 'tsk_1', timeoutMs: 5 })
    controller.abort(reason)
    controller.abort(new Error('second'))

    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBe(reason)
    expect(seen).toEqual(['listener:abort', 'once', 'onabort'])
    expect(() => signal.throwIfAborted()).toThrow(reason)
  })

  it('gives an AbortError when aborted without a reason', () => {
    const controller = new PlainAbortController()
    controller.abort()
    expect(controller.signal.reason).toBeInstanceOf(DOMException)
    expect((controller.signal.reason as DOMException).name).toBe('AbortError')
  })

  it("stops Node's own signal-taking APIs, as an AbortSignal does", async () => {
    const controller = new PlainAbortController()
    const signal = controller.signal as unknown as AbortSignal
    const timer = sleep(60_000, undefined, { signal })
    const event = once(new EventTarget(), 'never', { signal })
    controller.abort(new Error('stop'))
    await expect(timer).rejects.toMatchObject({ name: 'AbortError' })
    await expect(event).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('a removed listener is not called', () => {
    const controller = new PlainAbortController()
    let calls = 0
    const listener = () => calls++
    controller.signal.addEventListener('abort', listener)
    controller.signal.removeEventListener('abort', listener)
    controller.abort()
    expect(calls).toBe(0)
  })
})
