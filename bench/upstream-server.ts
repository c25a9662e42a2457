/** The test upstream as its own process, so load generation does not share its event loop. */
import { startUpstream } from '../test/upstream/openai-upstream.js'

const upstream = await startUpstream()
process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`)
process.once('SIGTERM', () => void upstream.close().then(() => process.exit(0)))
