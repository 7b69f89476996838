// Exports: a file fetched with the token and handed to the browser as a download named by the server.
import { api, qs } from './api.js'
import { fail, h, toast } from './dom.js'

function filenameOf(disposition) {
  if (!disposition) return null
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  if (star) return decodeURIComponent(star[1])
  const plain = /filename="?([^";]+)"?/i.exec(disposition)
  return plain ? plain[1] : null
}

export async function downloadFile(path, params, button) {
  button.disabled = true
  toast('正在生成导出文件…')
  try {
    const response = await api('GET', path + qs(params), undefined, { raw: true })
    const name = filenameOf(response.headers.get('Content-Disposition')) || '社区五单导出.' + (params.format || 'xlsx')
    const url = URL.createObjectURL(await response.blob())
    const link = h('a', { href: url, download: name })
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(url), 30000)
  } catch (err) {
    fail(err)
  } finally {
    button.disabled = false
  }
}
