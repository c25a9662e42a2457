/**
 * Loaded with `--import` into a server under bench/profile-stages.ts: starts
 * and stops V8's CPU profiler of this process's main thread when the harness
 * asks over the IPC channel, so a profile covers the load window only (not
 * the start, the warm-up or the idle wait). Plain JavaScript: it must load
 * before any TypeScript hook, on either Node.
 *
 *   harness → { profile: 'start', intervalUs }   ← { profile: 'started' }
 *   harness → { profile: 'stop', file }          ← { profile: 'stopped', file, cpuUs }
 *   harness → { profile: 'heap-start' }          ← { profile: 'heap-started' }
 *   harness → { profile: 'heap-stop', file }     ← { profile: 'heap-stopped', file }
 *
 * The heap pair samples allocations (V8's sampling heap profiler, one sample
 * per 32 KiB allocated on average, objects collected since included).
 *
 * `cpuUs` is the process's user + system CPU time over the window (every
 * thread), beside the profile's main-thread samples; `gc` the collections
 * the process reported over it: count and pause milliseconds, scavenges
 * (minor) and the rest (mark-compact and incremental steps).
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

if (process.send) {
  const session = new Session()
  session.connect()
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    )
  let cpuAtStart
  let gc
  new PerformanceObserver((list) => {
    if (!gc) return
    for (const entry of list.getEntries()) {
      const minor = entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR
      gc[minor ? 'minor' : 'other'] += 1
      gc[minor ? 'minorMs' : 'otherMs'] += entry.duration
    }
  }).observe({ entryTypes: ['gc'] })
  process.on('message', async (message) => {
    if (message?.profile === 'start') {
      await post('Profiler.enable')
      await post('Profiler.setSamplingInterval', { interval: message.intervalUs ?? 100 })
      cpuAtStart = process.cpuUsage()
      gc = { minor: 0, minorMs: 0, other: 0, otherMs: 0 }
      await post('Profiler.start')
      process.send({ profile: 'started' })
    } else if (message?.profile === 'heap-start') {
      await post('HeapProfiler.enable')
      await post('HeapProfiler.startSampling', {
        samplingInterval: 32768,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      })
      process.send({ profile: 'heap-started' })
    } else if (message?.profile === 'heap-stop') {
      const { profile } = await post('HeapProfiler.stopSampling')
      writeFileSync(message.file, JSON.stringify(profile))
      process.send({ profile: 'heap-stopped', file: message.file })
    } else if (message?.profile === 'stop') {
      const { profile } = await post('Profiler.stop')
      const cpu = process.cpuUsage(cpuAtStart)
      // Entries of the last collections arrive on a later turn.
      await sleep(20)
      const collected = gc
      gc = undefined
      writeFileSync(message.file, JSON.stringify(profile))
      process.send({
        profile: 'stopped',
        file: message.file,
        cpuUs: cpu.user + cpu.system,
        gc: collected,
      })
    }
  })
  // The channel must not keep the process alive, nor end it when the harness goes.
  process.channel?.unref()
}
