/**
 * The expression-level type error (§17.3): not an Error and never escaping the
 * engine, it makes a FILTER false or leaves a BIND unbound. In a file of its own so
 * that xsd.ts and operators.ts, which import each other's neighbours, can both throw it.
 */
export class ExprError {
  constructor (readonly reason: string) {}
}

export function fail (reason: string): never { throw new ExprError(reason) }
