/** The default LOAD in the browser build (load-file.ts's sibling): a page has no local files to read. */
import type * as RDF from '@rdfjs/types'
import { UnsupportedPlatformError } from '../../quad-model/index.js'

export interface LoadFileOptions {
  signal?: AbortSignal | undefined
  allowFiles?: readonly string[] | undefined
}

export async function loadFile (iri: string, _options: LoadFileOptions = {}): Promise<RDF.Quad[]> {
  throw new UnsupportedPlatformError(`LOAD <${iri}> (a browser reads no local files; pass UpdateOptions.load)`)
}
