// The jest response fixtures (tests/miniprogram/fixtures) are valid answers of the real API: each is checked
// against the response schema of its route in the server's OpenAPI document (build/openapi.json, written by
// `make jest`), with no field the server does not send, so the fixtures cannot drift from the server.
const fs = require('fs')
const path = require('path')
const Ajv = require('ajv')

const OPENAPI = process.env.OPENAPI_JSON || path.resolve(__dirname, '../../build/openapi.json')
const FIXTURES = path.join(__dirname, 'fixtures')
const API = '/api/v1'

// fixture file (and, for users.json, each of its values) → the GET route whose 200 answer it stands for.
const ROUTES = {
  'calls.json': '/calls',
  'certificates.json': '/me/service-certificates',
  'care-plan.json': '/care-plans/{plan_id}',
  'categories.json': '/categories',
  'leaderboard.json': '/points/leaderboard',
  'messages.json': '/me/messages',
  'offerings.json': '/offerings',
  'offerings-page2.json': '/offerings',
  'order-dispatched.json': '/orders/{order_id}',
  'order-rated.json': '/orders/{order_id}',
  'orders.json': '/orders',
  'orders-page2.json': '/orders',
  'points.json': '/me/points',
  'ratings.json': '/ratings',
  'redemptions.json': '/me/redemptions',
  'rewards.json': '/rewards',
  'service-record.json': '/me/service-record',
  'stats-summary.json': '/stats/summary',
  'team.json': '/teams/{team_id}',
  'users.json': '/me', // { resident: <GET /me>, staff: … }
}
const NOT_RESPONSES = ['openapi-mini.json'] // a small OpenAPI document for the contract test's own tests

/** Every object schema that lists its properties refuses others: a renamed or invented field fails. */
function closed(schema) {
  if (Array.isArray(schema)) return schema.map(closed)
  if (!schema || typeof schema !== 'object') return schema
  const out = {}
  Object.keys(schema).forEach(key => {
    out[key] = closed(schema[key])
  })
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false
  return out
}

const available = fs.existsSync(OPENAPI)
if (!available && process.env.CI) throw new Error('No OpenAPI document at ' + OPENAPI + ' (make jest writes it)')
const describeIf = available ? describe : describe.skip

describeIf('fixtures match the OpenAPI response schemas', () => {
  const doc = available ? JSON.parse(fs.readFileSync(OPENAPI, 'utf8')) : {}
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
  if (available) ajv.addSchema({ $id: 'openapi', components: closed(doc.components) })

  function validatorFor(route) {
    const op = doc.paths[API + route] && doc.paths[API + route].get
    if (!op) throw new Error('GET ' + route + ' is not in the OpenAPI document')
    const schema = op.responses['200'].content['application/json'].schema
    const ref = schema.$ref ? { $ref: 'openapi' + schema.$ref } : closed(schema)
    return ajv.compile(ref)
  }

  function problems(validate, value) {
    return validate(value) ? [] : validate.errors.map(e => (e.instancePath || '/') + ' ' + e.message + (e.params && e.params.additionalProperty ? ' (' + e.params.additionalProperty + ')' : ''))
  }

  test('every fixture file has a route here', () => {
    const files = fs.readdirSync(FIXTURES).filter(name => name.endsWith('.json'))
    expect(files.filter(name => !ROUTES[name] && NOT_RESPONSES.indexOf(name) < 0)).toEqual([])
  })

  test.each(Object.keys(ROUTES).filter(name => name !== 'users.json'))('%s', name => {
    const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'))
    expect(problems(validatorFor(ROUTES[name]), fixture)).toEqual([])
  })

  test.each(Object.keys(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'users.json'), 'utf8'))))('users.json: %s', key => {
    const user = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'users.json'), 'utf8'))[key]
    expect(problems(validatorFor('/me'), user)).toEqual([])
  })

  test('a drifted fixture is caught (a renamed field, a wrong type)', () => {
    const order = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'order-dispatched.json'), 'utf8'))
    const validate = validatorFor('/orders/{order_id}')
    expect(problems(validate, Object.assign({}, order, { contactPhone: order.contact_phone }))).toEqual(['/ must NOT have additional properties (contactPhone)'])
    expect(problems(validate, Object.assign({}, order, { id: '501' }))).toEqual(['/id must be integer'])
  })
})
