/**
 * The id-level engine: the parts of a query it covers ("islands": BGPs, joins,
 * VALUES, UNION, paths, FILTER, BIND, OPTIONAL, MINUS, GROUP BY, subqueries) run
 * on the source's integer term ids (IdAccess) in batches of rows, joins ordered
 * at run time; only the answers become RDF/JS terms.
 *
 * Contract: `evaluateIsland(op, ctx)` is the term-level evaluator's first
 * question for every operator. It answers undefined where the engine does not
 * apply (no id access, optimizer off, a FROM dataset, an operator it does not
 * cover) and otherwise a lazy iterable of exactly the solutions the term-level
 * evaluator would give (the differential and W3C tests run both). It never
 * writes to the source. `Solutions` also hands out whole batches, which the
 * query's outermost consumer reads to save a step per solution.
 * Cost: a row is 4 bytes a slot; one batched source request per pattern and
 * batch of up to ~1,000 rows.
 */
export { evaluateIsland, Solutions } from './island.js'
/** The join strategies' thresholds; tests lower them to run every strategy on small data. */
export { joinTuning } from './join.js'
