// Fixture JSON shaped like the API of DESIGN.md §6.
const fs = require('fs')
const path = require('path')

function fixture(name) {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures', name + '.json'), 'utf8'))
}

/** Sign the fake wx in as a user (token + profile in storage). */
function signIn(wx, user) {
  wx.__storage['session.token'] = 'token-' + user.id
  wx.__storage['session.expiresAt'] = Date.now() + 3600 * 1000
  wx.__storage['session.user'] = user
  return user
}

module.exports = { fixture, signIn }
