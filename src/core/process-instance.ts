/**
 * This process's identity as a holder of leases (tasks it runs, idempotency
 * keys it is answering): fresh at every start, so a restarted process never
 * mistakes its predecessor's leases for its own.
 */
import { randomBytes } from 'node:crypto'

/** `proc_` and 16 random hex digits, fixed for the life of the process. */
export const processInstanceId = `proc_${randomBytes(8).toString('hex')}`
