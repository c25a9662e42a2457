// @ts-check
/**
 * Runs inside a subprocess module's sandbox, in front of the module, when the
 * manifest allows network hosts. The sandbox has its own network namespace with
 * only a loopback interface; this bridge listens on that loopback and carries each
 * connection to the platform's egress proxy, whose unix socket is bound into the
 * sandbox. The module sees `HTTP_PROXY`/`HTTPS_PROXY` pointing here; any other
 * address is unreachable. Then it runs the module with the same stdio and exits
 * with its status (128 + the signal's number when a signal ended it, as bwrap
 * reports its own child).
 *
 *   node egress-bridge.js <port> <proxy socket> <program> [arguments...]
 *
 * Plain JavaScript: it runs with the host's node, outside the platform's loader.
 */
import { spawn } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { constants } from 'node:os'

const [port, socketPath, program, ...args] = process.argv.slice(2)
if (port === undefined || socketPath === undefined || program === undefined) {
  process.stderr.write('usage: egress-bridge.js <port> <proxy socket> <program> [arguments...]\n')
  process.exit(125)
}

const server = createServer((client) => {
  const proxy = connect(socketPath)
  client.pipe(proxy)
  proxy.pipe(client)
  client.on('error', () => proxy.destroy())
  proxy.on('error', () => client.destroy())
})
server.listen(Number(port), '127.0.0.1', () => {
  const child = spawn(program, args, { stdio: 'inherit' })
  for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT', 'SIGHUP'])) {
    process.on(signal, () => child.kill(signal))
  }
  child.on('error', (error) => {
    process.stderr.write(`cannot run ${program}: ${error.message}\n`)
    process.exit(127)
  })
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal]))
  })
})
server.on('error', (error) => {
  process.stderr.write(`the egress bridge cannot listen: ${error.message}\n`)
  process.exit(125)
})
