/**
 * Shared notes: each note is RDF (schema.org's NoteDigitalDocument with a text, when it
 * was changed and by whom) in a graph kept in IndexedDB, replicated with `rhizome serve`
 * over WebSockets (examples/notes/demo.ts serves this page, the browser build and
 * /config.json). The list is a SPARQL query, re-run after every change, local or merged
 * from a peer; "who changed what" is graph.log, whose authors are the commits' signers.
 */
import { createReplicator, openBrowserGraph, solutionToRecord } from './rhizome.js'

const PREFIXES = 'PREFIX s: <http://schema.org/>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n'
const NOTES = `${PREFIXES}SELECT ?note ?text ?modified ?editor WHERE {
  ?note a s:NoteDigitalDocument ;
        s:text ?text .
  OPTIONAL { ?note s:dateModified ?modified }
  OPTIONAL { ?note s:editor ?editor }
}
ORDER BY DESC(?modified)`

const $ = id => document.getElementById(id)
const state = { graph: undefined, replicator: undefined, config: undefined, editing: undefined, peers: 0, unreachable: false, lastSync: undefined, syncing: false }

/** A SPARQL string literal holding `text`. */
const literal = text => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`
const now = () => `"${new Date().toISOString()}"^^xsd:dateTime`
const short = text => text.length > 22 ? `${text.slice(0, 12)}…${text.slice(-6)}` : text

/** A name and a colour for a writer: you, the serve, or another replica. */
function who (writer) {
  if (writer === state.graph?.writer) return { name: 'you (this tab)', color: '#4f46e5', letter: 'Y' }
  if (writer === state.config?.serveWriter) return { name: 'rhizome serve', color: '#0d9488', letter: 'S' }
  let hash = 0
  for (const c of writer) hash = (hash * 31 + c.charCodeAt(0)) >>> 0
  return { name: `replica …${writer.slice(-6)}`, color: `hsl(${hash % 360} 60% 45%)`, letter: writer.slice(-1).toUpperCase() }
}

function badge (writer) {
  const w = who(writer)
  const span = document.createElement('span')
  span.className = 'who'
  span.title = writer
  span.innerHTML = `<span class="dot" style="background:${w.color}">${w.letter}</span>`
  span.append(w.name)
  return span
}

const ago = time => {
  const s = Math.max(0, Math.round((Date.now() - time) / 1000))
  return s < 5 ? 'just now' : s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : new Date(time).toLocaleString()
}

async function rows (text) {
  const result = await state.graph.query(text)
  const out = []
  for await (const row of result) out.push(Object.fromEntries(Object.entries(solutionToRecord(row)).map(([k, v]) => [k, v?.value])))
  return out
}

function renderNote (note) {
  const card = document.createElement('article')
  card.className = 'note'
  if (state.editing === note.note) {
    card.classList.add('edit')
    const area = document.createElement('textarea')
    area.value = note.text
    const save = Object.assign(document.createElement('button'), { textContent: 'Save' })
    save.onclick = () => edit(note.note, area.value)
    const cancel = Object.assign(document.createElement('button'), { textContent: 'Cancel', className: 'quiet' })
    cancel.onclick = () => { state.editing = undefined; void render() }
    card.append(area, save, cancel)
    setTimeout(() => area.focus())
    return card
  }
  const text = document.createElement('p')
  text.textContent = note.text
  const meta = document.createElement('div')
  meta.className = 'meta'
  if (note.editor !== undefined) meta.append(badge(note.editor))
  if (note.modified !== undefined) meta.append(ago(Date.parse(note.modified)))
  const actions = document.createElement('span')
  actions.className = 'actions'
  const editButton = Object.assign(document.createElement('button'), { textContent: 'Edit', className: 'quiet' })
  editButton.onclick = () => { state.editing = note.note; void render() }
  const remove = Object.assign(document.createElement('button'), { textContent: 'Remove', className: 'quiet danger' })
  remove.onclick = () => change(`DELETE WHERE { <${note.note}> ?p ?o }`)
  actions.append(editButton, remove)
  meta.append(actions)
  card.append(text, meta)
  return card
}

let rendering = false
let again = false
/** Re-runs the query and the log; a change during a render makes one more. */
async function render () {
  if (rendering) { again = true; return }
  rendering = true
  try {
    do {
      again = false
      const notes = await rows(NOTES)
      const list = $('notes')
      list.replaceChildren(...notes.map(renderNote))
      if (notes.length === 0) list.innerHTML = '<div class="empty">No notes yet. Write the first one.</div>'
      const log = await state.graph.log({ limit: 30 })
      $('log').replaceChildren(...log.map(entry => {
        const li = document.createElement('li')
        const what = document.createElement('div')
        what.innerHTML = `<span class="plus">+${entry.added}</span> <span class="minus">−${entry.removed}</span> quads <span class="what">· ${ago(entry.time)}</span>`
        const line = document.createElement('div')
        line.append(badge(entry.author), what)
        li.append(line)
        return li
      }))
      $('size').textContent = String(await state.graph.size())
      document.body.dataset.notes = String(notes.length)
    } while (again)
  } finally {
    rendering = false
  }
}

async function change (update) {
  await state.graph.update(PREFIXES + update)
  showStatus()
}

async function add (text) {
  if (text.trim() === '') return
  await change(`INSERT DATA { <urn:uuid:${crypto.randomUUID()}> a s:NoteDigitalDocument ; s:text ${literal(text.trim())} ; s:dateModified ${now()} ; s:editor <${state.graph.writer}> }`)
}

async function edit (note, text) {
  state.editing = undefined
  await change(`DELETE { <${note}> s:text ?t ; s:dateModified ?d ; s:editor ?e }
INSERT { <${note}> s:text ${literal(text.trim())} ; s:dateModified ${now()} ; s:editor <${state.graph.writer}> }
WHERE { <${note}> s:text ?t OPTIONAL { <${note}> s:dateModified ?d } OPTIONAL { <${note}> s:editor ?e } }`)
}

function showStatus () {
  const connection = $('connection')
  const sync = $('sync')
  if (state.peers > 0) {
    connection.className = 'pill ok'
    connection.textContent = `connected · ${state.peers} peer${state.peers === 1 ? '' : 's'}`
  } else {
    connection.className = state.unreachable ? 'pill bad' : 'pill warn'
    connection.textContent = state.unreachable ? 'offline · retrying' : 'connecting…'
  }
  document.body.dataset.connected = state.peers > 0 ? 'yes' : 'no'
  if (state.syncing) {
    sync.className = 'pill warn'
    sync.textContent = 'syncing…'
  } else if (state.lastSync !== undefined) {
    sync.className = state.peers > 0 ? 'pill ok' : 'pill'
    sync.textContent = state.peers > 0 ? `in sync · ${new Date(state.lastSync).toLocaleTimeString()}` : `last synced ${new Date(state.lastSync).toLocaleTimeString()}`
  } else {
    sync.className = 'pill'
    sync.textContent = 'working offline'
  }
  document.body.dataset.sync = state.lastSync !== undefined && !state.syncing ? 'synced' : 'no'
}

/** The serve's address and the database, from the demo server; the last ones seen when it cannot be reached. */
async function loadConfig () {
  try {
    const config = await (await fetch('/config.json')).json()
    localStorage.setItem('rhizome-notes-config', JSON.stringify(config))
    return config
  } catch {
    return JSON.parse(localStorage.getItem('rhizome-notes-config') ?? 'null')
  }
}

const connected = replicator => new Promise(resolve => {
  const libp2p = replicator.ipfs.libp2p
  if (libp2p.getPeers().length > 0) return resolve()
  libp2p.addEventListener('peer:connect', () => resolve(), { once: true })
})

async function start () {
  state.config = await loadConfig()
  if (state.config === null) throw new Error('no /config.json: start the page with npm run demo')
  const { address, peer } = state.config
  const name = `rhizome-notes-${address}`
  // Keep the serve as a peer: dialled again with backoff while it is away (redial).
  const replicator = await createReplicator({ peers: [peer], allowInsecureLocal: true, redial: true })
  state.replicator = replicator
  const libp2p = replicator.ipfs.libp2p
  const peersChanged = () => { state.peers = libp2p.getPeers().length; if (state.peers > 0) state.unreachable = false; showStatus() }
  libp2p.addEventListener('peer:connect', peersChanged)
  libp2p.addEventListener('peer:disconnect', peersChanged)
  replicator.addEventListener('peer:unreachable', () => { state.unreachable = true; showStatus() })
  replicator.addEventListener('catchup:progress', () => { state.syncing = true; showStatus() })
  replicator.addEventListener('catchup:done', () => { state.syncing = false; state.lastSync = Date.now(); showStatus() })
  replicator.addEventListener('catchup:failed', () => { state.syncing = false; showStatus() })
  let graph
  try {
    graph = await openBrowserGraph({ name, create: false }) // the replica this browser keeps
  } catch {
    await connected(replicator) // a first visit: the manifest comes from the serve
    graph = await openBrowserGraph({ name, address, fetch: replicator.manifestFetcher() })
  }
  state.graph = graph
  await graph.replicateOn(replicator)
  graph.addEventListener('change', () => { void render() })
  $('writer').textContent = short(graph.writer)
  $('writer').title = graph.writer
  $('address').textContent = short(graph.address)
  $('address').title = graph.address
  $('peer').textContent = short(peer.split('/p2p/')[1] ?? peer)
  $('peer').title = peer
  $('query').textContent = NOTES
  peersChanged()
  await render()
  setInterval(() => { void render() }, 30_000) // "2 min ago" keeps moving
}

$('composer').addEventListener('submit', event => {
  event.preventDefault()
  const draft = $('draft')
  void add(draft.value).then(() => { draft.value = '' })
})
$('draft').addEventListener('keydown', event => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) $('composer').requestSubmit()
})

start().then(() => { window.notesReady = true }, err => {
  $('connection').className = 'pill bad'
  $('connection').textContent = String(err.message ?? err)
})
