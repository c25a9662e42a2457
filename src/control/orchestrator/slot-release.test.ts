import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startHarness, type Harness } from '../control-plane.fixture.js'
import { TaskMachine } from '../lifecycle/task-machine.js'

const text = 'OMERTAOS routes tasks. It keeps a record of each. The record commits first.'

let h: Harness
beforeAll(async () => {
  // One slot on the local route: a second task runs only once the first gave the slot back.
  h = await startHarness({ settings: { workers: { local: 1, api: 8, hybrid: 2 } } })
})
afterAll(() => h.close())

describe('a worker slot', () => {
  it('is free for the next task once the engines are done, while the end is still being written', async () => {
    const finish = TaskMachine.prototype.finish
    let letFirstEnd: () => void = () => undefined
    const firstEndHeld = new Promise<void>((resolve) => (letFirstEnd = resolve))
    let calls = 0
    const spy = vi.spyOn(TaskMachine.prototype, 'finish').mockImplementation(async function (
      this: TaskMachine,
      ...args: Parameters<TaskMachine['finish']>
    ) {
      // The first task's end waits until the second task has ended.
      if (++calls === 1) await firstEndHeld
      return finish.apply(this, args)
    })
    try {
      const first = await h.submit({ intent: 'summarize', input: { text }, route: 'local' })
      const second = await h.submit({ intent: 'summarize', input: { text }, route: 'local' })
      const secondDone = await h.cp.waitForEnd('default', second.task_id, 10_000)
      expect(secondDone.status).toBe('succeeded')
      // The first one had run its module but not yet written its end.
      expect((await h.store.tasks.get('default', first.task_id))?.status).toBe('running')
      letFirstEnd()
      const firstDone = await h.cp.waitForEnd('default', first.task_id, 10_000)
      expect(firstDone.status).toBe('succeeded')
    } finally {
      letFirstEnd()
      spy.mockRestore()
    }
  })
})
