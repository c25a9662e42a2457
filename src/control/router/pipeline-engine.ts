/**
 * Engine names of pipelines: a pipeline of module steps is named as declared;
 * one with a model step expands into one engine per model it may use, named
 * `<pipeline>+<model ref>`. Pipeline names cannot hold `+` (the contract's
 * name pattern), so the first `+` splits the two.
 */

/** The engine name of `pipeline` with `modelRef` as its model step (none: module steps only). */
export function pipelineEngineName(pipeline: string, modelRef?: string): string {
  return modelRef === undefined ? pipeline : `${pipeline}+${modelRef}`
}

/** The pipeline and model ref an engine name holds. */
export function parsePipelineEngineName(name: string): {
  readonly pipeline: string
  readonly modelRef: string | undefined
} {
  const plus = name.indexOf('+')
  return plus < 0
    ? { pipeline: name, modelRef: undefined }
    : { pipeline: name.slice(0, plus), modelRef: name.slice(plus + 1) }
}
