// A CODE 128 (set C) barcode of an even number of digits, drawn by the page as bars: the 核销码 on a
// volunteer's phone, which staff read with wx.scanCode (every phone's scanner reads CODE 128).

// Bar and space widths (in modules) of each symbol value 0–106 (ISO/IEC 15417 table; 106 is the stop).
const PATTERNS = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
]
const START_C = 105
const STOP = 106

/**
 * code128c('12345678') → [{ bar: true, width: 2 }, { bar: false, width: 1 }, …], starting and ending with a bar;
 * [] when the text is not an even number of digits.
 */
function code128c(text) {
  const digits = String(text || '')
  if (!/^(\d\d)+$/.test(digits)) return []
  const values = [START_C]
  for (let i = 0; i < digits.length; i += 2) values.push(Number(digits.slice(i, i + 2)))
  let check = START_C
  for (let i = 1; i < values.length; i++) check += i * values[i]
  values.push(check % 103, STOP)
  const bars = []
  values.forEach(value => {
    PATTERNS[value].split('').forEach((width, i) => bars.push({ bar: i % 2 === 0, width: Number(width) }))
  })
  return bars
}

module.exports = { PATTERNS, code128c }
