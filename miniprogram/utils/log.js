// One place for failure logs: the console in DevTools and WeChat's 实时日志 (We分析 → 实时日志) on phones,
// so that a failure the user only sees as a message is still on record.

function realtime() {
  try {
    return wx.getRealtimeLogManager ? wx.getRealtimeLogManager() : null
  } catch (err) {
    return null
  }
}

function write(level, args) {
  const manager = realtime()
  if (manager && manager[level]) {
    try {
      manager[level].apply(manager, args)
    } catch (err) {
      // The realtime log refuses some values (e.g. circular objects); the console below still has them.
    }
  }
  if (typeof console !== 'undefined' && console[level]) console[level].apply(console, args)
}

/** A failure we expected could happen (a refused request, a refused permission). */
function warn(where, detail) {
  write('warn', ['[社区五单]', where, detail])
}

/** Something that should not happen (a script error, a broken promise). */
function error(where, detail) {
  write('error', ['[社区五单]', where, detail])
}

module.exports = { warn, error }
