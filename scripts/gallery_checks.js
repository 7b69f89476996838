// Measures one rendered gallery page in Chromium (scripts/gallery.py): tap targets, overflow, text sizes,
// contrast, and words users should never see. Returns plain data; gallery.py applies the thresholds.
(() => {
  const W = 375
  const viewport = document.getElementById('wx-viewport')
  const SECONDARY = /^(tag|tag-\w+|muted|hint|badge|grid-badge|overdue|time|meta|caption|count|unread|sub|note|tip-sub|status-tag|signup-status|field-error|desc-sub|small|entry-sub|kv-key|progress-time|timeline-time|event-time|event-note|more|due|status-due|balance-hint|points-label|figure-unit|add-text|signup-unit|cell-label)$/
  const out = { taps: [], overflow: [], texts: [], nonText: [], placeholders: [], words: [] }

  function visible(el) {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const s = getComputedStyle(node)
      if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false
    }
    const r = el.getBoundingClientRect()
    return r.width > 0 && r.height > 0
  }
  function describe(el) {
    const cls = (el.getAttribute('class') || '').split(/\s+/).filter(Boolean).map(c => c.split('--').pop()).join('.')
    const text = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('placeholder') || '').replace(/\s+/g, ' ').trim().slice(0, 24)
    return `${el.tagName.toLowerCase()}${cls ? '.' + cls : ''} "${text}"`
  }
  function classes(el) {
    return (el.getAttribute('class') || '').split(/\s+/).filter(Boolean).map(c => c.split('--').pop())
  }
  function parseColor(value) {
    const m = value.match(/rgba?\(([^)]+)\)/)
    if (!m) return [0, 0, 0, 0]
    const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number)
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1]
  }
  function over(top, bottom) { // top colour composited over an opaque bottom colour
    const a = top[3]
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat(1)
  }
  function backgroundOf(el) {
    const layers = []
    for (let node = el; node; node = node.parentElement) {
      const c = parseColor(getComputedStyle(node).backgroundColor)
      if (c[3] > 0) layers.push(c)
      if (c[3] >= 1) break
    }
    let colour = [255, 255, 255, 1]
    layers.reverse().forEach(layer => { colour = over(layer, colour) })
    return colour
  }
  function luminance(c) {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)
    })
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
  }
  function contrast(a, b) {
    const la = luminance(a), lb = luminance(b)
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
  }
  function effectiveOpacity(el) {
    let o = 1
    for (let node = el; node && node !== document.body; node = node.parentElement) o *= Number(getComputedStyle(node).opacity)
    return o
  }
  // Inside a horizontal scroll-view (tabs), running past the screen is the point.
  function scrolls(el) {
    for (let node = el.parentElement; node && node !== viewport; node = node.parentElement) {
      const x = getComputedStyle(node).overflowX
      if (x === 'auto' || x === 'scroll' || x === 'hidden') return true
    }
    return false
  }
  const round = v => Math.round(v * 10) / 10

  // Tap targets: anything with a tap handler, buttons, inputs, pickers, switches.
  viewport.querySelectorAll('[data-tap], wx-button, input, textarea').forEach(el => {
    if (!visible(el)) return
    const r = el.getBoundingClientRect()
    out.taps.push({ what: describe(el), w: round(r.width), h: round(r.height),
      labelled: !!(el.tagName === 'WX-BUTTON' || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.getAttribute('aria-role') || el.getAttribute('aria-label') || el.tagName === 'SWITCH' && el.getAttribute('aria-label')),
      role: el.getAttribute('aria-role') || '', label: el.getAttribute('aria-label') || '',
      // Nothing a screen reader could read out but a glyph (★, +, ×) or nothing at all: needs an aria-label.
      glyphOnly: !/^(INPUT|TEXTAREA)$/.test(el.tagName) && !/[\p{Script=Han}\d]/u.test(el.textContent || ''),
      // style: v2 makes a button 184px wide: one left at that width half-fills a bottom bar or a card.
      v2Width: el.tagName === 'WX-BUTTON' && Math.abs(r.width - 184) < 0.5 })
  })

  // Boxes: wider than the screen, or sticking out of a parent that does not clip.
  viewport.querySelectorAll('*').forEach(el => {
    if (!visible(el) || el.closest('switch')) return
    const s = getComputedStyle(el)
    const r = el.getBoundingClientRect()
    if ((r.right > W + 0.5 || r.left < -0.5) && !scrolls(el)) out.overflow.push({ what: describe(el), px: round(Math.max(r.right - W, -r.left)), kind: 'screen' })
    const parent = el.parentElement
    if (!parent || parent === viewport || s.position === 'absolute' || s.position === 'fixed') return
    const ps = getComputedStyle(parent)
    if (ps.display === 'inline' || ps.display === 'contents') return
    const pr = parent.getBoundingClientRect()
    if (ps.overflowX === 'visible') {
      const px = Math.max(r.right - pr.right, pr.left - r.left)
      if (px > 1) out.overflow.push({ what: describe(el), in: describe(parent), px: round(px), kind: 'box' })
    }
  })

  // Text: size, contrast, words. Each text node, measured on its element.
  const walker = document.createTreeWalker(viewport, NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, ' ').trim()
    if (!text) continue
    const el = node.parentElement
    if (!visible(el) || el.tagName === 'TEXTAREA') continue
    const s = getComputedStyle(el)
    const range = document.createRange()
    range.selectNodeContents(node)
    const rects = Array.from(range.getClientRects())
    if (!rects.length) continue
    // Text running out of its own box (the box does not clip it).
    const box = el.getBoundingClientRect()
    if (s.overflowX === 'visible' && s.display !== 'inline') {
      const right = Math.max(...rects.map(r => r.right))
      if (right - box.right > 1) out.overflow.push({ what: describe(el), px: round(right - box.right), kind: 'text' })
    }
    const rightmost = Math.max(...rects.map(r => r.right))
    if (rightmost > W + 0.5 && !scrolls(node)) out.overflow.push({ what: describe(el), px: round(rightmost - W), kind: 'text-screen' })
    let secondary = false
    for (let n = el, depth = 0; n && n !== viewport && depth < 4; n = n.parentElement, depth++) {
      if (classes(n).some(c => SECONDARY.test(c))) { secondary = true; break }
    }
    const fg = parseColor(s.color)
    const bg = backgroundOf(el)
    const ratio = contrast(over(fg, bg), bg)
    const glyphs = /^[★☆›‹<>×✕✓✔+\-–—·•…⋯↻↑↓→←▸▾▴◂]+$/.test(text.replace(/\s/g, ''))
    // Disabled buttons are held to the same contrast: they say why (积分不足). Only faded content is exempt.
    const disabled = effectiveOpacity(el) < 0.6
    const entry = { what: describe(el), text: text.slice(0, 30), size: round(parseFloat(s.fontSize)), secondary, contrast: Math.round(ratio * 100) / 100, disabled }
    if (glyphs) out.nonText.push(Object.assign(entry, { kind: /^[★☆]+$/.test(text.replace(/\s/g, '')) ? 'stars' : 'icon' }))
    else out.texts.push(entry)
    if (/[A-Za-z]{2,}|\bnull\b|undefined|NaN|\[object|\d{4}-\d{2}-\d{2}T/.test(text)) out.words.push({ what: describe(el), text: text.slice(0, 40) })
  }

  // Input borders, placeholders, the switch's track.
  viewport.querySelectorAll('input, textarea, [class$="--picker-value"], [class*="--picker-value "]').forEach(el => {
    if (!visible(el)) return
    const s = getComputedStyle(el)
    const outside = backgroundOf(el.parentElement)
    const border = parseColor(s.borderTopColor)
    const fill = backgroundOf(el)
    const ratio = Math.max(parseFloat(s.borderTopWidth) >= 0.5 ? contrast(over(border, outside), outside) : 1, contrast(fill, outside))
    out.nonText.push({ what: describe(el), kind: 'input-border', contrast: Math.round(ratio * 100) / 100 })
    if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && !el.value && el.getAttribute('placeholder')) {
      const ph = parseColor(getComputedStyle(el, '::placeholder').color)
      const typed = parseColor(s.color)
      out.placeholders.push({ what: describe(el), contrast: Math.round(contrast(over(ph, fill), fill) * 100) / 100,
        vsTyped: round(contrast(over(ph, fill), over(typed, fill)) * 100) / 100, size: round(parseFloat(s.fontSize)) })
      const placeholder = el.getAttribute('placeholder')
      if (/[A-Za-z]{2,}/.test(placeholder)) out.words.push({ what: describe(el), text: placeholder })
    }
  })
  viewport.querySelectorAll('switch').forEach(el => {
    if (!visible(el)) return
    const track = parseColor(getComputedStyle(el).backgroundColor)
    const outside = backgroundOf(el.parentElement)
    out.nonText.push({ what: describe(el), kind: 'switch', contrast: Math.round(contrast(over(track, outside), outside) * 100) / 100 })
  })
  return out
})()
