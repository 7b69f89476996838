// Objects handed from one page to the next (e.g. the tapped offering), in memory only.
const store = {}

function put(kind, item) {
  if (item && item.id !== undefined) store[kind + ':' + item.id] = item
}

function get(kind, id) {
  return store[kind + ':' + id] || null
}

// Pages that changed an order mark it, so lists refresh when shown again.
let dirty = {}

function markDirty(kind) {
  dirty[kind] = true
}

function takeDirty(kind) {
  const was = !!dirty[kind]
  dirty[kind] = false
  return was
}

module.exports = { put, get, markDirty, takeDirty }
