/* 社区五单 staff console: 吹哨报到, 志愿活动 and 党员双报到 (community mobilisation).
 * Built on the helpers console.js exposes as window.SQWD; like it, it draws with DOM calls only. */
(function (C) {
  'use strict';

  var h = C.h, get = C.get, post = C.post;

  var KINDS = { call: ['吹哨', 'orange'], activity: ['志愿活动', 'blue'] };
  var SIGNUP_STATUS = {
    signed_up: ['已报名', 'blue'], checked_in: ['已签到待确认', 'orange'], confirmed: ['已确认签到', 'green'],
    withdrawn: ['已取消报名', '']
  };
  var SIGNUP_FILTERS = [
    ['signed_up,checked_in,confirmed', '全部报名'], ['checked_in', '待确认签到'], ['signed_up', '未签到'],
    ['confirmed', '已确认'], ['withdrawn', '已取消']
  ];
  var OFFSET = '+08:00'; // the console shows and takes Asia/Shanghai time

  function badge(map, key) {
    var item = map[key] || [key, ''];
    return h('span', { class: 'badge ' + item[1] }, item[0]);
  }

  function callStatusBadge(call) {
    if (call.status === 'closed') return h('span', { class: 'badge' }, '已结束');
    return call.full ? h('span', { class: 'badge red' }, '名额已满') : h('span', { class: 'badge green' }, '报名中');
  }

  /** A table head; the last `numeric` columns hold numbers and are right-aligned like their cells. */
  function headRow(titles, numeric) {
    var first = titles.length - (numeric || 0);
    return h('thead', {}, h('tr', {}, titles.map(function (t, i) { return h('th', { class: i >= first ? 'num' : null }, t); })));
  }

  function isUnder(areaId, rootId) { return C.lineage(areaId).indexOf(Number(rootId)) >= 0; }

  /** A "加载更多" button under a keyset-paginated table; `more(cursor)` loads the next page. */
  function pager(box, cursor, more) {
    var old = box.querySelector('.more');
    if (old) old.remove();
    if (cursor) {
      box.appendChild(h('p', { class: 'more' }, h('button', { class: 'btn', type: 'button',
        onclick: function () { more(cursor); } }, '加载更多')));
    }
  }

  /** A button that asks for a second click before it acts (no blocking dialogs). */
  function confirmButton(label, question, cls, act) {
    var button = h('button', { class: 'btn ' + (cls || ''), type: 'button' }, label);
    var armed = false;
    button.addEventListener('click', function () {
      if (!armed) {
        armed = true;
        button.textContent = question;
        setTimeout(function () { armed = false; button.textContent = label; }, 4000);
        return;
      }
      button.disabled = true;
      act(button);
    });
    return button;
  }

  // --- 吹哨报到 · 志愿活动: the list ------------------------------------------------------------------

  function viewCalls(content) {
    var form = h('form', { class: 'toolbar', id: 'call-search' },
      h('label', {}, '类型', h('select', { name: 'kind' }, h('option', { value: '' }, '全部'),
        h('option', { value: 'call' }, '吹哨'), h('option', { value: 'activity' }, '志愿活动'))),
      h('label', {}, '状态', h('select', { name: 'status' }, h('option', { value: '' }, '全部'),
        h('option', { value: 'open' }, '报名中'), h('option', { value: 'closed' }, '已结束'))),
      h('label', {}, '区域', h('select', { name: 'area_id' }, h('option', { value: '' }, '全部'),
        C.areaOptions(false).map(function (a) { return h('option', { value: a.id }, a.label); }))),
      h('label', {}, h('input', { type: 'checkbox', name: 'awaiting' }), '仅看有待确认签到的'),
      h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'));
    var box = C.panel('吹哨报到 · 志愿活动', h('a', { href: '#/calls/new', class: 'btn btn-primary', id: 'new-call' },
      '发起吹哨或活动'));
    box.insertBefore(form, box.body);
    content.appendChild(box);
    var tbody = null;

    form.addEventListener('submit', function (event) { event.preventDefault(); search(null); });

    function search(cursor) {
      var params = {
        limit: 20, kind: form.elements.kind.value, status: form.elements.status.value,
        area_id: form.elements.area_id.value, awaiting_confirmation: form.elements.awaiting.checked ? 'true' : '',
        cursor: cursor
      };
      if (!cursor) C.loading(box.body);
      get('/calls', params).then(function (page) {
        if (!cursor) {
          if (!page.items.length) { C.empty(box.body, '暂无符合条件的吹哨或活动'); return; }
          tbody = h('tbody');
          C.clear(box.body).appendChild(h('table', { class: 'grid', id: 'calls-table' },
            headRow(['类型', '标题', '区域', '开始时间', '地点', '报名', '状态']), tbody));
        }
        page.items.forEach(function (call) {
          tbody.appendChild(h('tr', { class: 'clickable', 'data-call-id': call.id,
            onclick: function () { location.hash = '#/calls/' + call.id; } },
          h('td', {}, badge(KINDS, call.kind)),
          h('td', {}, h('a', { href: '#/calls/' + call.id }, call.title), h('div', { class: 'desc' }, call.description)),
          h('td', {}, call.area_name), h('td', {}, C.fmtTime(call.starts_at)), h('td', {}, call.place),
          h('td', {}, call.signup_count + ' / ' + call.quota), h('td', {}, callStatusBadge(call))));
        });
        pager(box.body, page.next_cursor, search);
      }, function (err) { C.empty(box.body, err.message); });
    }

    search(null);
  }

  // --- one call: who was called, who signed up, check-in confirmation ---------------------------------

  function viewCall(content, id) {
    if (id === 'new') { viewNewCall(content); return; }
    var box = C.panel('吹哨 #' + id, h('a', { href: '#/calls', class: 'btn' }, '返回列表'));
    var signups = C.panel('报名与签到');
    content.appendChild(box);
    content.appendChild(signups);
    C.loading(box.body);

    function load() {
      get('/calls/' + encodeURIComponent(id)).then(draw, function (err) {
        C.empty(box.body, err.status === 404 ? '找不到该吹哨或活动，或不在您负责的区域' : err.message);
        signups.remove();
      });
    }

    function draw(call) {
      box.querySelector('h2').textContent = (call.kind === 'activity' ? '志愿活动：' : '吹哨：') + call.title;
      var counts = call.signup_counts || {};
      var fields = [
        ['类型', badge(KINDS, call.kind)], ['状态', callStatusBadge(call)], ['区域', call.area_name],
        ['开始时间', C.fmtTime(call.starts_at)], ['地点', call.place],
        ['名额', call.signup_count + ' / ' + call.quota + (call.status === 'open' ? '（剩余 ' + call.remaining + '）' : '')],
        ['签到积分', call.points + ' 分 / 人'], ['召集对象', targetText(call)],
        ['已通知', call.kind === 'activity' ? '本区域所有人可报名' : (call.recipient_count || 0) + ' 人'],
        ['签到情况', '已报名 ' + (counts.signed_up || 0) + ' · 已签到待确认 ' + (counts.checked_in || 0) +
          ' · 已确认 ' + (counts.confirmed || 0) + ' · 已取消 ' + (counts.withdrawn || 0)],
        ['发布时间', C.fmtTime(call.created_at)], ['结束时间', call.closed_at ? C.fmtTime(call.closed_at) : '—'],
        ['内容', call.description]
      ];
      var actions = h('div', { class: 'actions' });
      if ((call.allowed_actions || []).indexOf('close') >= 0) {
        actions.appendChild(confirmButton('结束报名', '确认结束？再点一次', 'btn-danger', function (button) {
          post('/calls/' + call.id + '/close').then(function () { C.toast('已结束，不再接受报名和签到'); load(); },
            function (err) { button.disabled = false; C.fail(err); });
        }));
      }
      C.clear(box.body);
      C.appendAll(box.body, [
        h('dl', { class: 'detail-grid', id: 'call-detail' }, fields.map(function (f) { return [h('dt', {}, f[0]), h('dd', {}, f[1])]; })),
        actions
      ]);
      drawSignups(call);
    }

    function targetText(call) {
      if (call.kind === 'activity') return '面向本区域所有人';
      var t = call.target;
      if (!t) return '本区域全部志愿者';
      var parts = [];
      if (t.party_members) parts.push('本区域报到党员');
      (t.team_ids || []).forEach(function (teamId) {
        var team = C.state.teams.filter(function (x) { return x.id === teamId; })[0];
        parts.push(team ? team.name : '服务队 ' + teamId);
      });
      (t.category_codes || []).forEach(function (code) {
        var category = C.state.categories.filter(function (c) { return c.code === code; })[0];
        parts.push('提供「' + (category ? category.name : code) + '」服务的志愿者');
      });
      (t.grid_ids || []).forEach(function (gridId) { parts.push(C.areaName(gridId)); });
      return parts.join('、');
    }

    function drawSignups(call) {
      var filter = h('select', { name: 'status', id: 'signup-filter', 'aria-label': '报名状态' },
        SIGNUP_FILTERS.map(function (f) { return h('option', { value: f[0] }, f[1]); }));
      var confirmAll = h('button', { class: 'btn', type: 'button', id: 'confirm-all' }, '确认全部已签到');
      var list = h('div', { id: 'signups' });
      C.clear(signups.body);
      C.appendAll(signups.body, [h('div', { class: 'toolbar' }, h('label', {}, '显示', filter), confirmAll), list]);
      filter.addEventListener('change', function () { loadSignups(null); });
      confirmAll.addEventListener('click', function () { confirmEveryCheckIn(confirmAll); });
      var tbody = null;

      function loadSignups(cursor) {
        if (!cursor) C.loading(list);
        get('/calls/' + call.id + '/signups', { status: filter.value, limit: 50, cursor: cursor }).then(function (page) {
          if (!cursor) {
            if (!page.items.length) { C.empty(list, '暂无报名'); return; }
            tbody = h('tbody');
            C.clear(list).appendChild(h('table', { class: 'grid', id: 'signups-table' },
              headRow(['姓名', '联系电话', '党员', '工作单位', '状态', '报名时间', '签到时间', '确认']), tbody));
          }
          page.items.forEach(function (signup) { tbody.appendChild(signupRow(signup)); });
          pager(list, page.next_cursor, loadSignups);
        }, function (err) { C.empty(list, err.message); });
      }

      function signupRow(signup) {
        var cell = h('td', {});
        if (signup.status === 'checked_in' || signup.status === 'signed_up') {
          var label = signup.status === 'checked_in' ? '确认签到' : '确认到场';
          var button = h('button', { class: 'btn btn-small' + (signup.status === 'checked_in' ? ' btn-primary' : ''),
            type: 'button', title: signup.status === 'signed_up' ? '志愿者未在手机上签到、但已到场时使用' : null }, label);
          button.addEventListener('click', function () {
            button.disabled = true;
            confirmSignup(signup).then(function (done) { replaceRow(done); }, function (err) { button.disabled = false; C.fail(err); });
          });
          cell.appendChild(button);
        } else if (signup.status === 'confirmed') {
          cell.appendChild(h('span', { class: 'muted' }, C.fmtTime(signup.confirmed_at)));
        }
        var row = h('tr', { 'data-user-id': signup.user_id, 'data-status': signup.status },
          h('td', {}, signup.name || signup.nickname), h('td', {}, signup.phone || '—'),
          h('td', {}, signup.is_party_member ? h('span', { class: 'badge red' }, '党员') : '—'),
          h('td', {}, signup.work_unit || '—'), h('td', {}, badge(SIGNUP_STATUS, signup.status)),
          h('td', {}, C.fmtTime(signup.signed_up_at)), h('td', {}, C.fmtTime(signup.checked_in_at)), cell);
        function replaceRow(done) {
          C.toast('已确认 ' + (done.name || done.nickname) + ' 签到，积分 ' + call.points + ' 分已发放');
          row.replaceWith(signupRow(done));
        }
        return row;
      }

      function confirmSignup(signup) {
        return post('/calls/' + call.id + '/signups/' + signup.user_id + '/confirm');
      }

      /** Confirm every check-in waiting for it, one after another (each one earns points once). */
      function confirmEveryCheckIn(button) {
        button.disabled = true;
        C.getAll('/calls/' + call.id + '/signups', { status: 'checked_in' }, 20).then(function (waiting) {
          if (!waiting.length) { C.toast('没有待确认的签到'); return null; }
          var done = 0;
          return waiting.reduce(function (chain, signup) {
            return chain.then(function () { return confirmSignup(signup).then(function () { done += 1; }); });
          }, Promise.resolve()).then(function () { C.toast('已确认 ' + done + ' 人签到'); load(); },
            function (err) { C.fail(err); load(); });
        }, C.fail).then(function () { button.disabled = false; });
      }

      loadSignups(null);
    }

    load();
  }

  // --- 发起吹哨或活动 --------------------------------------------------------------------------------

  /** Tomorrow at 09:00 in Shanghai, as a datetime-local value. */
  function tomorrowMorning() {
    var p = C.shanghaiParts(new Date(Date.now() + 24 * 3600 * 1000));
    return p.year + '-' + p.month + '-' + p.day + 'T09:00';
  }

  function viewNewCall(content) {
    var areas = C.areaOptions(false);
    var form = h('form', { class: 'call-form', id: 'call-form', autocomplete: 'off' },
      h('fieldset', { class: 'kind-picker' }, h('legend', {}, '类型'),
        h('label', {}, h('input', { type: 'radio', name: 'kind', value: 'call', checked: true }),
          '吹哨（紧急召集，通知指定的志愿者）'),
        h('label', {}, h('input', { type: 'radio', name: 'kind', value: 'activity' }), '志愿活动（面向本区域所有人报名）')),
      h('label', {}, '区域', h('select', { name: 'area_id', required: true },
        areas.map(function (a) { return h('option', { value: a.id }, a.label); }))),
      h('label', {}, '标题', h('input', { name: 'title', maxlength: 64, required: true, placeholder: '如：防汛值守，急需志愿者' })),
      h('label', {}, '内容', h('textarea', { name: 'description', maxlength: 1000, rows: 4, required: true,
        placeholder: '做什么、需要带什么、联系人' })),
      h('div', { class: 'form-row' },
        h('label', {}, '开始时间', h('input', { type: 'datetime-local', name: 'starts_at', required: true, value: tomorrowMorning() })),
        h('label', {}, '名额', h('input', { type: 'number', name: 'quota', min: 1, max: 1000, required: true, value: 10 })),
        h('label', {}, '签到积分', h('input', { type: 'number', name: 'points', min: 0, max: 100, required: true, value: 10 }))),
      h('label', {}, '地点', h('input', { name: 'place', maxlength: 200, required: true, placeholder: '集合地点' })));
    var target = h('fieldset', { class: 'target', id: 'call-target' }, h('legend', {}, '召集对象'));
    var submit = h('button', { class: 'btn btn-primary', type: 'submit', id: 'call-submit' }, '发布');
    form.appendChild(target);
    form.appendChild(h('div', { class: 'actions' }, submit, h('a', { href: '#/calls', class: 'btn' }, '取消')));
    var box = C.panel('发起吹哨或活动');
    box.body.appendChild(form);
    content.appendChild(box);

    function kind() { return form.querySelector('input[name=kind]:checked').value; }

    /** The groups a call can be blown for, in the chosen area (teams and grids under it). */
    function drawTarget() {
      C.clear(target).appendChild(h('legend', {}, '召集对象'));
      if (kind() === 'activity') {
        target.appendChild(h('p', { class: 'hint' }, '志愿活动在小程序中向本区域所有人展示，不指定召集对象。'));
        return;
      }
      var areaId = form.elements.area_id.value;
      var teams = C.state.teams.filter(function (t) { return t.is_active !== false && isUnder(t.area_id, areaId); });
      var grids = Object.keys(C.state.areas).map(function (k) { return C.state.areas[k]; })
        .filter(function (a) { return a.kind === 'grid' && isUnder(a.id, areaId); });
      function boxes(name, items) {
        return items.map(function (item) {
          return h('label', {}, h('input', { type: 'checkbox', name: name, value: item[0] }), item[1]);
        });
      }
      C.appendAll(target, [
        h('p', { class: 'hint' }, '可多选；都不选时通知本区域全部志愿者。'),
        h('div', { class: 'toolbar' }, h('label', {}, h('input', { type: 'checkbox', name: 'party_members' }),
          '本区域报到的在职党员')),
        teams.length ? h('div', { class: 'toolbar' }, '服务队：', boxes('team_ids', teams.map(function (t) { return [t.id, t.name]; }))) : null,
        h('div', { class: 'toolbar' }, '提供以下服务的志愿者：', boxes('category_codes', C.state.categories.map(function (c) { return [c.code, c.name]; }))),
        grids.length ? h('div', { class: 'toolbar' }, '网格：', boxes('grid_ids', grids.map(function (g) { return [g.id, C.areaName(g.parent_id) + g.name]; }))) : null
      ]);
    }

    function checked(name, asNumber) {
      return Array.prototype.filter.call(form.querySelectorAll('input[name=' + name + ']'), function (c) { return c.checked; })
        .map(function (c) { return asNumber ? Number(c.value) : c.value; });
    }

    form.addEventListener('change', function (event) {
      if (event.target.name === 'kind' || event.target.name === 'area_id') drawTarget();
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var e = form.elements;
      var body = {
        kind: kind(), area_id: Number(e.area_id.value), title: e.title.value.trim(), description: e.description.value.trim(),
        starts_at: e.starts_at.value + ':00' + OFFSET, place: e.place.value.trim(), quota: Number(e.quota.value),
        points: Number(e.points.value)
      };
      if (body.kind === 'call') {
        var chosen = { party_members: !!(e.party_members && e.party_members.checked), team_ids: checked('team_ids', true),
          category_codes: checked('category_codes'), grid_ids: checked('grid_ids', true) };
        if (chosen.party_members || chosen.team_ids.length || chosen.category_codes.length || chosen.grid_ids.length) {
          body.target = chosen;
        }
      }
      submit.disabled = true;
      post('/calls', body).then(function (call) {
        C.toast(call.kind === 'activity' ? '志愿活动已发布' : '已吹哨，已通知 ' + (call.recipient_count || 0) + ' 人');
        location.hash = '#/calls/' + call.id;
      }, function (err) { submit.disabled = false; C.fail(err); });
    });

    drawTarget();
  }

  // --- 党员双报到: the register, units, figures and exports ---------------------------------------------

  function viewParty(content) {
    var form = h('form', { class: 'toolbar', id: 'party-search' },
      h('label', {}, '区域', h('select', { name: 'area_id' }, h('option', { value: '' }, '全部'),
        C.areaOptions(false).map(function (a) { return h('option', { value: a.id }, a.label); }))),
      h('label', {}, '查找', h('input', { name: 'q', maxlength: 32, placeholder: '姓名或工作单位' })),
      h('button', { class: 'btn btn-primary', type: 'submit' }, '查询'),
      h('span', { class: 'toolbar' },
        h('button', { class: 'btn', type: 'button', id: 'party-export-xlsx', onclick: function () { exportAs('xlsx', this); } }, '导出 Excel'),
        h('button', { class: 'btn', type: 'button', id: 'party-export-csv', onclick: function () { exportAs('csv', this); } }, '导出 CSV')));
    var head = C.panel('党员双报到');
    head.body.appendChild(form);
    var cards = h('div', { class: 'cards', id: 'party-cards' });
    var members = C.panel('报到党员名册');
    var units = C.panel('驻区单位');
    content.appendChild(head);
    content.appendChild(cards);
    content.appendChild(members);
    content.appendChild(units);
    var memberRows = null, unitRows = null;

    function filters() { return { area_id: form.elements.area_id.value, q: form.elements.q.value.trim() }; }

    function exportAs(format, button) {
      C.downloadFile('/party/members/export', Object.assign({ format: format }, filters()), button);
    }

    form.addEventListener('submit', function (event) { event.preventDefault(); load(); });

    function load() {
      var area = { area_id: filters().area_id };
      C.clear(cards);
      get('/party/summary', area).then(drawCards, C.fail);
      loadMembers(null);
      loadUnits(null);
    }

    function drawCards(f) {
      [['报到党员', f.party_members, '名', '在职党员到社区报到'], ['驻区单位', f.party_units, '个', '报到党员的工作单位'],
        ['本月党员服务', f.party_services, '件', '作为志愿者办结的工单'],
        ['本月响应吹哨', f.party_call_checkins, '人次', '吹哨和志愿活动的确认签到']].forEach(function (item) {
        cards.appendChild(h('div', { class: 'card', 'data-figure': item[0] }, h('div', { class: 'label' }, item[0]),
          h('div', { class: 'value' }, String(item[1]), h('small', {}, ' ' + item[2])), h('div', { class: 'sub' }, item[3])));
      });
    }

    function loadMembers(cursor) {
      if (!cursor) C.loading(members.body);
      get('/party/members', Object.assign({ limit: 50, cursor: cursor }, filters())).then(function (page) {
        if (!cursor) {
          if (!page.items.length) { C.empty(members.body, '暂无报到的党员（党员在小程序「我的」中填写报到社区和工作单位）'); return; }
          memberRows = h('tbody');
          C.clear(members.body).appendChild(h('table', { class: 'grid', id: 'party-table' },
            headRow(['姓名', '报到社区', '工作单位', '联系电话', '服务（件）', '响应吹哨（次）'], 2), memberRows));
        }
        page.items.forEach(function (m) {
          memberRows.appendChild(h('tr', { 'data-user-id': m.id },
            h('td', {}, h('a', { href: '#/party/' + m.id, class: 'member-link' }, m.name)), h('td', {}, m.home_area_name),
            h('td', {}, m.work_unit || '—'), h('td', {}, m.phone || '—'), h('td', { class: 'num' }, String(m.services)),
            h('td', { class: 'num' }, String(m.call_checkins))));
        });
        pager(members.body, page.next_cursor, loadMembers);
      }, function (err) { C.empty(members.body, err.message); });
    }

    function loadUnits(cursor) {
      if (!cursor) C.loading(units.body);
      get('/party/units', { area_id: filters().area_id, limit: 50, cursor: cursor }).then(function (page) {
        if (!cursor) {
          if (!page.items.length) { C.empty(units.body, '暂无驻区单位'); return; }
          unitRows = h('tbody');
          C.clear(units.body).appendChild(h('table', { class: 'grid', id: 'units-table' },
            headRow(['工作单位', '报到党员（名）', '服务（件）', '响应吹哨（次）'], 3), unitRows));
        }
        page.items.forEach(function (u) {
          unitRows.appendChild(h('tr', {}, h('td', {}, u.work_unit), h('td', { class: 'num' }, String(u.members)),
            h('td', { class: 'num' }, String(u.services)), h('td', { class: 'num' }, String(u.call_checkins))));
        });
        pager(units.body, page.next_cursor, loadUnits);
      }, function (err) { C.empty(units.body, err.message); });
    }

    load();
  }

  // A member's page: who they are, the orders they completed and the calls they answered.
  function viewMember(content, id) {
    var box = C.panel('报到党员', h('a', { href: '#/party', class: 'btn' }, '返回名册'));
    var services = C.panel('最近的志愿服务（本区域工单）');
    var calls = C.panel('最近参加的吹哨和活动');
    C.appendAll(content, [box, services, calls]);
    C.loading(box.body);
    get('/party/members/' + encodeURIComponent(id)).then(function (m) {
      box.querySelector('h2').textContent = '报到党员：' + m.name;
      C.clear(box.body).appendChild(h('dl', { class: 'detail-grid', id: 'member-detail' }, [
        ['报到社区', m.home_area_name], ['工作单位', m.work_unit || '—'], ['联系电话', m.phone || '—'],
        ['办结服务', m.services + ' 件'], ['响应吹哨', m.call_checkins + ' 次（已确认签到）']
      ].map(function (f) { return [h('dt', {}, f[0]), h('dd', {}, f[1])]; })));
      if (!m.recent_services.length) C.empty(services.body, '还没有办结的服务');
      else {
        C.clear(services.body).appendChild(h('table', { class: 'grid', id: 'member-services' },
          headRow(['工单', '社区', '状态', '完成时间']), h('tbody', {}, m.recent_services.map(function (s) {
            return h('tr', {}, h('td', {}, h('a', { href: '#/orders/' + s.order_id }, '#' + s.order_id + ' ' + s.title)),
              h('td', {}, s.area_name), h('td', {}, s.status_label), h('td', {}, C.fmtTime(s.completed_at)));
          }))));
      }
      if (!m.recent_calls.length) C.empty(calls.body, '还没有报名吹哨或活动');
      else {
        C.clear(calls.body).appendChild(h('table', { class: 'grid', id: 'member-calls' },
          headRow(['吹哨 / 活动', '类型', '开始时间', '报名状态']), h('tbody', {}, m.recent_calls.map(function (c) {
            return h('tr', {}, h('td', {}, h('a', { href: '#/calls/' + c.call_id }, c.title)),
              h('td', {}, badge(KINDS, c.kind)), h('td', {}, C.fmtTime(c.starts_at)), h('td', {}, badge(SIGNUP_STATUS, c.status)));
          }))));
      }
    }, function (err) {
      C.empty(box.body, err.status === 404 ? '找不到该党员，或不在您负责的区域' : err.message);
      services.remove();
      calls.remove();
    });
  }

  C.addView('calls', viewCalls, viewCall);
  C.addView('party', viewParty, viewMember);
})(window.SQWD);
