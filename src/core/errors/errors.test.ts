import { describe, expect, it } from 'vitest'
import {
  AionError,
  BodyTooLargeError,
  defineError,
  errorKinds,
  errorSpecs,
  GrpcStatus,
  kindStatus,
  TaskNotFoundError,
  toProblem,
} from './index.js'

describe('error registry', () => {
  it('gives every code the AION_<AREA>_<REASON> shape and a kind with a status row', () => {
    expect(errorSpecs().size).toBeGreaterThan(5)
    for (const [code, spec] of errorSpecs()) {
      expect(code).toMatch(/^AION_[A-Z0-9]+_[A-Z0-9_]+$/)
      expect(errorKinds).toContain(spec.kind)
    }
  })

  it('refuses to define a code twice', () => {
    expect(() =>
      defineError('Again', {
        code: 'AION_TASK_NOT_FOUND',
        kind: 'not_found',
        retryable: false,
        message: () => 'x',
      }),
    ).toThrow(/defined twice/)
  })

  it('maps every kind to an HTTP and a gRPC status', () => {
    for (const kind of errorKinds) {
      expect(kindStatus[kind].http).toBeGreaterThanOrEqual(400)
      expect(Object.values(GrpcStatus)).toContain(kindStatus[kind].grpc)
    }
    expect(kindStatus.not_found).toEqual({ http: 404, grpc: GrpcStatus.NOT_FOUND })
  })

  it('builds named errors with structured fields and a cause', () => {
    const cause = new Error('disk')
    const error = new TaskNotFoundError({ taskId: 'tsk_1' }, { cause })
    expect(error).toBeInstanceOf(AionError)
    expect(error.name).toBe('TaskNotFoundError')
    expect(error.code).toBe('AION_TASK_NOT_FOUND')
    expect(error.fields).toEqual({ taskId: 'tsk_1' })
    expect(error.cause).toBe(cause)
    expect(error.stack).toContain('TaskNotFoundError')
  })
})

describe('problem+json', () => {
  it('carries the code and the status from the kind table', () => {
    const problem = toProblem(new BodyTooLargeError({ limitBytes: 1024 }), '/v1/tasks')
    expect(problem).toMatchObject({
      status: 413,
      code: 'AION_REQUEST_BODY_TOO_LARGE',
      retryable: false,
      limitBytes: 1024,
      instance: '/v1/tasks',
    })
  })

  it('hides the internals of unknown errors', () => {
    const problem = toProblem(new Error('password=hunter2 at /srv/db'))
    expect(problem.status).toBe(500)
    expect(problem.code).toBe('AION_INTERNAL_UNEXPECTED')
    expect(JSON.stringify(problem)).not.toContain('hunter2')
  })
})
