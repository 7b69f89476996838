// Which (method, path) the services call, and whether an OpenAPI document has them.
const fs = require('fs')
const path = require('path')
const { MP_ROOT } = require('./render')

const SERVICES_DIR = path.join(MP_ROOT, 'services')
const API_PREFIX = '/api/v1'
const METHODS = ['get', 'post', 'put', 'patch', 'delete']

/** `/orders/{id}/accept` and `/api/v1/orders/{order_id}/accept` both → `/orders/{}/accept`. */
function normalisePath(p) {
  let out = p.startsWith(API_PREFIX + '/') ? p.slice(API_PREFIX.length) : p
  out = out.replace(/\{[^}]+\}/g, '{}').replace(/<(?:[^:>]+:)?[^>]+>/g, '{}')
  if (out.length > 1) out = out.replace(/\/+$/, '')
  return out
}

function serviceFiles() {
  return fs
    .readdirSync(SERVICES_DIR)
    .filter(name => name.endsWith('.js'))
    .map(name => path.join(SERVICES_DIR, name))
}

/** Every route of every services/*.js: [{ service, name, method, path }]. */
function serviceRoutes() {
  const routes = []
  serviceFiles().forEach(file => {
    const mod = require(file)
    const table = mod.ROUTES || {}
    Object.keys(table).forEach(name => {
      routes.push({ service: path.basename(file, '.js'), name, method: table[name].method.toUpperCase(), path: table[name].path })
    })
  })
  return routes
}

/** The ROUTES entries each service file actually passes to call/upload/download. */
function usedRouteNames(file) {
  const source = fs.readFileSync(file, 'utf8')
  const used = new Set()
  const pattern = /\b(?:call|upload|download)\(\s*(?:ROUTES\.(\w+)|ROUTES\[|route\b)/g
  let match
  while ((match = pattern.exec(source))) {
    if (match[1]) used.add(match[1])
    else used.add('*') // a route picked at run time from ROUTES, e.g. ROUTES[action]
  }
  return used
}

/** Set of "METHOD /normalised/path" in an OpenAPI document. */
function openapiOperations(doc) {
  const ops = new Set()
  Object.keys(doc.paths || {}).forEach(p => {
    Object.keys(doc.paths[p]).forEach(method => {
      if (METHODS.indexOf(method.toLowerCase()) >= 0) ops.add(method.toUpperCase() + ' ' + normalisePath(p))
    })
  })
  return ops
}

/** The routes the document lacks, as "METHOD /path (service.name)". */
function missingRoutes(routes, doc) {
  const ops = openapiOperations(doc)
  return routes
    .filter(route => !ops.has(route.method + ' ' + normalisePath(route.path)))
    .map(route => route.method + ' ' + route.path + ' (' + route.service + '.' + route.name + ')')
}

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The OpenAPI operation serving a concrete request path like /orders/501 (exact paths win). */
function operationFor(doc, method, concretePath) {
  const verb = method.toLowerCase()
  const candidates = Object.keys(doc.paths || {})
    .filter(p => doc.paths[p][verb])
    .map(p => ({ p, norm: normalisePath(p) }))
    .filter(c => new RegExp('^' + c.norm.split('{}').map(escapeRegex).join('[^/]+') + '$').test(concretePath))
    .sort((a, b) => a.norm.split('{}').length - b.norm.split('{}').length)
  if (!candidates.length) return null
  const item = doc.paths[candidates[0].p]
  return { path: candidates[0].p, operation: item[verb], shared: item.parameters || [] }
}

function resolveRef(doc, node) {
  let current = node
  while (current && current.$ref) {
    current = current.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((acc, key) => (acc ? acc[key] : undefined), doc)
  }
  return current
}

/** Names of the query parameters an operation accepts. */
function queryParameterNames(doc, found) {
  return found.operation.parameters
    ? found.operation.parameters.concat(found.shared).map(p => resolveRef(doc, p)).filter(p => p && p.in === 'query').map(p => p.name)
    : found.shared.map(p => resolveRef(doc, p)).filter(p => p && p.in === 'query').map(p => p.name)
}

/** Names of the JSON body's top-level properties, or null when the document does not say. */
function bodyPropertyNames(doc, found) {
  const body = resolveRef(doc, found.operation.requestBody)
  const media = body && body.content && (body.content['application/json'] || body.content['multipart/form-data'])
  const schema = media && resolveRef(doc, media.schema)
  if (!schema || !schema.properties) return null
  return Object.keys(schema.properties)
}

/**
 * Requests the fake server saw that the document would not accept: unknown paths, query
 * parameters or body fields. Returns readable lines.
 */
function requestMismatches(doc, requests) {
  const problems = new Set()
  requests.forEach(req => {
    const found = operationFor(doc, req.method, req.path)
    if (!found) {
      problems.add(req.method + ' ' + req.path + ': no such operation')
      return
    }
    const allowed = queryParameterNames(doc, found)
    Object.keys(req.query || {}).forEach(key => {
      if (allowed.indexOf(key) < 0) problems.add(req.method + ' ' + found.path + ': unknown query parameter "' + key + '"')
    })
    if (req.kind === 'request' && req.method !== 'GET' && req.body && typeof req.body === 'object') {
      const fields = bodyPropertyNames(doc, found)
      if (fields) {
        Object.keys(req.body).forEach(key => {
          if (fields.indexOf(key) < 0) problems.add(req.method + ' ' + found.path + ': unknown body field "' + key + '"')
        })
      }
    }
  })
  return Array.from(problems)
}

module.exports = {
  operationFor,
  queryParameterNames,
  bodyPropertyNames,
  requestMismatches, SERVICES_DIR, normalisePath, serviceFiles, serviceRoutes, usedRouteNames, openapiOperations, missingRoutes }
