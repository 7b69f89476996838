// Runs before each test file: a fresh fake `wx` (see helpers/wx.js) on the global object.
const { installWx } = require('./helpers/wx')

installWx()

// utils/log.js also writes to the console; the fake wx keeps those lines in wx.__logs, so the
// console stays for everything else.
;['warn', 'error'].forEach(level => {
  const original = console[level]
  console[level] = (...args) => {
    if (args[0] === '[社区五单]') return
    original.apply(console, args)
  }
})
