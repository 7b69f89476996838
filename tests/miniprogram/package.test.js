// The mini-program's shape: app.json pages and components exist, pages use Component(),
// the main package stays under 2 MB, no remote assets, and what users read is Chinese.
const fs = require('fs')
const path = require('path')
const { MP_ROOT } = require('./helpers/render')

const read = rel => fs.readFileSync(path.join(MP_ROOT, rel), 'utf8')
const appJson = JSON.parse(read('app.json'))
const subRoots = appJson.subpackages.map(pkg => pkg.root)
const allPages = appJson.pages.concat(...appJson.subpackages.map(pkg => pkg.pages.map(p => pkg.root + '/' + p)))

function walk(dir, out = []) {
  fs.readdirSync(dir, { withFileTypes: true }).forEach(entry => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(full, out)
    else out.push(full)
  })
  return out
}

const IGNORED = ['tools', 'README.md'] // packOptions.ignore in the repo root's project.config.json (relative to miniprogramRoot)
const packaged = walk(MP_ROOT).filter(file => IGNORED.indexOf(path.relative(MP_ROOT, file).split(path.sep)[0]) < 0)
const sizeOf = files => files.reduce((sum, file) => sum + fs.statSync(file).size, 0)
const MB = 1024 * 1024

describe('project files', () => {
  test('project.config.json has an appid placeholder and miniprogramRoot', () => {
    const project = JSON.parse(fs.readFileSync(path.join(MP_ROOT, '..', 'project.config.json'), 'utf8'))
    expect(project.appid).toBeTruthy()
    expect(project.miniprogramRoot).toBe('miniprogram/')
    expect(project.compileType).toBe('miniprogram')
    // WeChat DevTools reads packOptions paths from miniprogramRoot, not from the project root.
    expect(project.packOptions.ignore.map(i => i.value)).toEqual(expect.arrayContaining(IGNORED))
    project.packOptions.ignore.forEach(rule => expect(fs.existsSync(path.join(MP_ROOT, rule.value))).toBe(true))
  })

  test('a tab bar of five pages in the main package, with icons that exist', () => {
    const tabs = appJson.tabBar.list
    expect(tabs.map(t => t.text)).toEqual(['首页', '我的订单', '工作台', '消息', '我的'])
    tabs.forEach(tab => {
      expect(appJson.pages).toContain(tab.pagePath)
      ;[tab.iconPath, tab.selectedIconPath].forEach(icon => {
        const file = path.join(MP_ROOT, icon)
        expect(fs.existsSync(file)).toBe(true)
        expect(fs.statSync(file).size).toBeLessThan(40 * 1024)
      })
    })
  })

  test('a subpackage per role, and preload rules that name them', () => {
    expect(subRoots).toEqual(['packageResident', 'packageVolunteer', 'packageStaff'])
    const names = appJson.subpackages.map(pkg => pkg.name)
    Object.values(appJson.preloadRule).forEach(rule => rule.packages.forEach(name => expect(names).toContain(name)))
  })
})

describe('pages and components', () => {
  test.each(allPages)('%s has its four files and is written with Component()', page => {
    ;['js', 'json', 'wxml', 'wxss'].forEach(ext => expect(fs.existsSync(path.join(MP_ROOT, page + '.' + ext))).toBe(true))
    const js = read(page + '.js')
    expect(js).toMatch(/\bComponent\(\{/)
    expect(js).not.toMatch(/\bPage\(\{/)
    const json = JSON.parse(read(page + '.json'))
    expect(json.navigationBarTitleText).toMatch(/[\u4e00-\u9fa5]/)
  })

  test('every usingComponents entry exists and components declare component: true', () => {
    const jsons = walk(MP_ROOT).filter(f => f.endsWith('.json') && !f.endsWith('project.config.json'))
    jsons.forEach(file => {
      const json = JSON.parse(fs.readFileSync(file, 'utf8'))
      Object.values(json.usingComponents || {}).forEach(target => {
        const base = target.startsWith('/') ? path.join(MP_ROOT, target) : path.join(path.dirname(file), target)
        expect({ file: path.relative(MP_ROOT, file), target, exists: fs.existsSync(base + '.js') }).toEqual({
          file: path.relative(MP_ROOT, file),
          target,
          exists: true,
        })
        const comp = JSON.parse(fs.readFileSync(base + '.json', 'utf8'))
        expect(comp.component).toBe(true)
      })
    })
  })

  test('pages that list things offer pull-to-refresh', () => {
    const lists = allPages.filter(page => /behaviors\/list/.test(read(page + '.js')))
    expect(lists.length).toBeGreaterThanOrEqual(8)
    lists.forEach(page => expect({ page, refresh: JSON.parse(read(page + '.json')).enablePullDownRefresh }).toEqual({ page, refresh: true }))
  })

  test('every page shows loading, empty and error states', () => {
    allPages
      .filter(page => !/\/(dev|scan|join-team|fulfil)\//.test(page))
      .forEach(page => expect({ page, states: /<page-state/.test(read(page + '.wxml')) }).toEqual({ page, states: true }))
  })

  test('every page follows 关怀模式', () => {
    allPages
      .filter(page => page !== 'pages/me/dev/index')
      .forEach(page => {
        expect({ page, care: read(page + '.wxml').includes("{{care ? 'care' : ''}}") }).toEqual({ page, care: true })
        expect({ page, behaviour: /behaviors\/care/.test(read(page + '.js')) }).toEqual({ page, behaviour: true })
      })
  })
})

describe('size and assets', () => {
  test('the main package is under 2 MB and each subpackage under 2 MB', () => {
    const inSub = root => file => path.relative(MP_ROOT, file).split(path.sep)[0] === root
    const main = packaged.filter(file => !subRoots.some(root => inSub(root)(file)))
    expect(sizeOf(main)).toBeLessThan(2 * MB)
    subRoots.forEach(root => expect(sizeOf(packaged.filter(inSub(root)))).toBeLessThan(2 * MB))
    expect(sizeOf(packaged)).toBeLessThan(20 * MB)
  })

  test('no remote assets and no third-party UI library', () => {
    packaged
      .filter(file => /\.(wxml|wxss|json)$/.test(file))
      .forEach(file => {
        const text = fs.readFileSync(file, 'utf8')
        const remote = /src=["']https?:|url\(\s*["']?https?:|"(iconPath|selectedIconPath)":\s*"https?:/.test(text)
        expect({ file: path.relative(MP_ROOT, file), remote }).toEqual({ file: path.relative(MP_ROOT, file), remote: false })
      })
    expect(fs.existsSync(path.join(MP_ROOT, 'miniprogram_npm'))).toBe(false)
  })
})

describe('Chinese for what users read', () => {
  // Visible text of a template: tags, bindings and comments removed.
  const visible = wxml =>
    wxml
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/\{\{[\s\S]*?\}\}/g, ' ')
      .replace(/<[^>]*>/g, ' ')

  test('templates contain no English words', () => {
    const allowed = ['MB'] // as in “5MB”
    packaged
      .filter(file => file.endsWith('.wxml'))
      .filter(file => !file.endsWith(path.join('me', 'dev', 'index.wxml'))) // developer page shows openids and URLs
      .forEach(file => {
        const words = (visible(fs.readFileSync(file, 'utf8')).match(/[A-Za-z]{2,}/g) || []).filter(w => allowed.indexOf(w) < 0)
        expect({ file: path.relative(MP_ROOT, file), words }).toEqual({ file: path.relative(MP_ROOT, file), words: [] })
      })
  })

  test('placeholders and labels in constants are Chinese', () => {
    const constants = require(path.join(MP_ROOT, 'utils/constants'))
    const labels = []
    const collect = value => {
      if (typeof value === 'string') labels.push(value)
      else if (Array.isArray(value)) value.forEach(collect)
      else if (value && typeof value === 'object') Object.keys(value).forEach(k => (['label', 'title', 'placeholder', 'confirm'].includes(k) || typeof value[k] === 'object' ? collect(value[k]) : null))
    }
    collect(constants)
    const english = labels.filter(text => /[A-Za-z]{3,}/.test(text) && !/^[a-z_]+$/.test(text))
    expect(english).toEqual([])
  })
})
