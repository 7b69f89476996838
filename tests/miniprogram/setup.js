// Runs before each test file: a fresh fake `wx` (see helpers/wx.js) on the global object.
const { installWx } = require('./helpers/wx')

installWx()
