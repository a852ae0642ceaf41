// The village kit (村级离线包, issue 27 (8)). The phone keeps the kit (rounds, groups, households)
// and a queue of entries in localStorage; each entry is sent to the API every client uses, with
// its idempotency key, once there is a signal. An entry is answered as recorded, or refused with
// the server's own reason (a round closed meanwhile, a loan already paid), shown as it is.
(function () {
  "use strict";
  const root = document.getElementById("field");
  if (!root) return;
  const API = root.dataset.api;
  const KIT_KEY = "fupin-field-kit";
  const QUEUE_KEY = "fupin-field-queue";
  let kit = load(KIT_KEY, null);
  let queue = load(QUEUE_KEY, []);
  let tab = "score";
  let open = null; // what the current tab shows: {round, rating} | {group} | {household}
  let sending = false;

  function load(key, fallback) {
    try {
      const v = localStorage.getItem(key);
      return v ? JSON.parse(v) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function save() {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
    if (kit) localStorage.setItem(KIT_KEY, JSON.stringify(kit));
  }
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else if (k === "text") n.textContent = v;
      else n.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) n.append(c);
    return n;
  }
  function key(prefix) {
    const raw = (self.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
    return (prefix + "-" + raw.replace(/-/g, "")).slice(0, 36);
  }
  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function localDay() {
    const d = new Date();
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }
  function person(h) {
    return (h.name || "（未登记户主）") + " · " + h.registry_no;
  }
  function waiting(kind, id) {
    return queue.some((q) => q.kind === kind && q.ref === id && q.state !== "refused");
  }

  // --- the queue -------------------------------------------------------------------------------
  function enqueue(entry) {
    queue.push(Object.assign({ id: key("q"), state: "waiting", made_at: new Date().toISOString() }, entry));
    save();
    open = null;
    render();
    send();
  }

  function busy(on) {
    // a marker while the phone talks to the server (the browser tests wait for it to go)
    root.dataset.busy = String(Math.max(0, Number(root.dataset.busy || 0) + (on ? 1 : -1)));
  }

  async function send() {
    if (sending || !navigator.onLine) return render();
    sending = true;
    busy(true);
    let stopped = "";
    for (const q of queue.filter((x) => x.state === "waiting")) {
      let response;
      try {
        response = await fetch(API + q.path, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify(q.body),
        });
      } catch (e) {
        stopped = "没有信号，稍后自动发送";
        break;
      }
      if (response.status === 401) {
        stopped = "登录已过期：请重新登录后再发送（记下的内容仍在本机）";
        break;
      }
      let body = {};
      try {
        body = await response.json();
      } catch (e) {
        body = {};
      }
      if (response.ok) {
        q.state = "sent";
        q.answer = response.status === 200 ? "此前已记录，这次未重复记" : "已记录";
      } else {
        q.state = "refused";
        const more = Array.isArray(body.details) ? body.details.map((d) => d.message).filter(Boolean) : [];
        q.answer = (body.message || "服务器未接受（" + response.status + "）") + (more.length ? "：" + more.join("；") : "");
      }
      q.sent_at = new Date().toISOString();
      save();
      render();
    }
    sending = false;
    root.dataset.stopped = stopped;
    if (!stopped && queue.some((x) => x.state === "sent")) await download();
    busy(false);
    render();
  }

  async function download() {
    if (!navigator.onLine) return render();
    busy(true);
    try {
      const response = await fetch(root.dataset.kit, { credentials: "same-origin" });
      if (response.status === 401 || response.redirected) {
        root.dataset.stopped = "登录已过期：请重新登录后更新数据";
      } else if (response.ok) {
        kit = await response.json();
        save();
      }
    } catch (e) {
      // no signal: the kit kept on the phone serves
    }
    busy(false);
    render();
  }

  // --- what the screen shows -------------------------------------------------------------------
  function render() {
    const online = navigator.onLine;
    const net = document.getElementById("net");
    net.textContent = online ? "在线" : "离线";
    net.className = "badge " + (online ? "ok" : "off");
    document.getElementById("kit-age").textContent = kit
      ? "数据下载于 " + kit.made_at.replace("T", " ").slice(0, 16) + "（" + kit.user.name + "）"
      : "尚未下载数据：请在有信号时打开本页";
    const waitingCount = queue.filter((q) => q.state === "waiting").length;
    const refused = queue.filter((q) => q.state === "refused").length;
    const pending = document.getElementById("pending");
    pending.replaceChildren(
      el("strong", { id: "waiting-count", text: "待发送 " + waitingCount + " 条" }),
      refused ? el("span", { class: "refused", text: " · 未被接受 " + refused + " 条，请看“发送记录”" }) : "",
      root.dataset.stopped ? el("span", { class: "muted", text: " · " + root.dataset.stopped }) : ""
    );
    for (const b of root.querySelectorAll("[data-tab]")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
    for (const s of root.querySelectorAll(".field-tab")) s.hidden = s.id !== "tab-" + tab;
    const target = document.getElementById("tab-" + tab);
    target.replaceChildren(...(kit || tab === "queue" ? VIEWS[tab]() : [el("p", { class: "muted", text: "尚无数据" })]));
  }

  const VIEWS = {
    score() {
      if (!kit.rounds.length) return [el("p", { class: "muted", text: "没有您参加评议、正在评分的整村评级。" })];
      if (open && open.rating) return scoreForm(open.round, open.rating);
      return kit.rounds.map((r) => {
        const left = r.households.filter((h) => !waiting("sheet", h.rating));
        return el(
          "div",
          { class: "card" },
          el("h2", { text: r.village + " " + r.year + " 年评级" }),
          el("p", { class: "muted", text: r.scorecard + " · 您未评的还有 " + left.length + " 户" }),
          el(
            "ul",
            { class: "field-list" },
            left.map((h) =>
              el("li", {}, el("button", { type: "button", class: "button big", "data-rating": h.rating, onclick: () => ((open = { round: r, rating: h }), render()) }, person(h)))
            )
          )
        );
      });
    },
    collect() {
      if (!kit.groups.length) return [el("p", { class: "muted", text: "没有您登记收款的联保小组。" })];
      if (open && open.group) return collectForm(open.group);
      return kit.groups.map((g) =>
        el(
          "div",
          { class: "card" },
          el("h2", { text: g.village + " · " + g.name }),
          el("p", { class: "muted", text: g.week_of + " 起一周 · " + g.rows.length + " 笔贷款" + (waiting("collection", g.id + "@" + g.week_of) ? " · 本周已收，待发送或已发送" : "") }),
          el("button", { type: "button", class: "button big", "data-group": g.id, onclick: () => ((open = { group: g }), render()) }, "收款")
        )
      );
    },
    visit() {
      if (!kit.households.length) return [el("p", { class: "muted", text: "没有您可以走访的农户。" })];
      if (open && open.household) return visitForm(open.household);
      const box = el("input", { type: "search", id: "visit-find", placeholder: "输入户主姓名或户编号", autocomplete: "off" });
      const list = el("ul", { class: "field-list" });
      const show = () => {
        const q = box.value.trim();
        const hits = kit.households.filter((h) => !q || h.name.includes(q) || h.registry_no.includes(q)).slice(0, 20);
        list.replaceChildren(
          ...hits.map((h) => el("li", {}, el("button", { type: "button", class: "button", "data-household": h.id, onclick: () => ((open = { household: h }), render()) }, person(h) + " · " + h.village)))
        );
      };
      box.addEventListener("input", show);
      show();
      return [el("label", {}, "找农户", box), list];
    },
    queue() {
      if (!queue.length) return [el("p", { class: "muted", text: "还没有记下任何内容。" })];
      const rows = queue
        .slice()
        .reverse()
        .map((q) =>
          el(
            "li",
            { class: "queue-" + q.state, "data-entry": q.id },
            el("strong", { text: { waiting: "待发送", sent: "已发送", refused: "未被接受" }[q.state] }),
            " " + q.title,
            q.answer ? el("div", { class: q.state === "refused" ? "msg-error" : "muted", text: q.answer }) : "",
            q.state === "refused"
              ? el("button", { type: "button", class: "link", onclick: () => ((queue = queue.filter((x) => x.id !== q.id)), save(), render()) }, "知道了，删去")
              : ""
          )
        );
      const clear = el("button", { type: "button", class: "link", onclick: () => ((queue = queue.filter((x) => x.state !== "sent")), save(), render()) }, "清除已发送的");
      return [el("ul", { class: "field-queue" }, rows), clear];
    },
  };

  function back() {
    return el("button", { type: "button", class: "link", onclick: () => ((open = null), render()) }, "← 返回");
  }

  function scoreForm(round, h) {
    const form = el("form", { class: "card", id: "score-form" });
    form.append(el("h2", { text: "评分 · " + person(h) }), el("p", { class: "muted", text: "背靠背评议：提交后不能修改。" }));
    for (const i of round.items) {
      const field =
        i.method === "option"
          ? el("select", { name: i.code, required: true }, el("option", { value: "" }), i.options.map(([k, v]) => el("option", { value: k }, k + "（" + v + " 分）")))
          : el("input", { name: i.code, inputmode: "decimal", required: true, value: h.prefill[i.code] || "" });
      form.append(el("label", {}, i.label + "（满分 " + i.max + "）", field));
    }
    form.append(el("button", { type: "submit", class: "primary" }, "记下，评下一户"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const values = {};
      for (const i of round.items) values[i.code] = form.elements[i.code].value.trim();
      enqueue({ kind: "sheet", ref: h.rating, title: "评分 · " + person(h), path: "/ratings/" + h.rating + "/sheets", body: { values } });
      const next = round.households.find((x) => !waiting("sheet", x.rating));
      if (next) (open = { round, rating: next }), render();
    });
    return [back(), form];
  }

  function collectForm(g) {
    const form = el("form", { class: "card", id: "collect-form" });
    form.append(el("h2", { text: g.village + " · " + g.name }), el("p", { class: "muted", text: g.week_of + " 起一周的收款单，金额单位：元" }));
    for (const r of g.rows) {
      const note = "本周应还 " + r.due + (r.overdue !== "0.00" ? " · 逾期 " + r.overdue : "");
      form.append(
        el(
          "label",
          {},
          person(r),
          el("small", { class: "muted field-note", text: note }),
          el("input", { name: "loan-" + r.loan, inputmode: "decimal", value: r.due, pattern: "[0-9]{1,10}(\\.[0-9]{1,2})?" })
        )
      );
    }
    form.append(el("button", { type: "submit", class: "primary" }, "记下本次收款"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const lines = [];
      for (const r of g.rows) {
        const v = form.elements["loan-" + r.loan].value.trim();
        if (v && Number(v) > 0) lines.push({ loan_id: r.loan, amount: v });
      }
      const total = lines.reduce((s, l) => s + Math.round(Number(l.amount) * 100), 0);
      enqueue({
        kind: "collection",
        ref: g.id + "@" + g.week_of,
        title: "收款 · " + g.name + " · " + lines.length + " 笔 共 " + (total / 100).toFixed(2) + " 元",
        path: "/groups/" + g.id + "/collection",
        body: { week_of: g.week_of, idempotency_key: key("c"), lines },
      });
    });
    return [back(), form];
  }

  function visitForm(h) {
    const form = el("form", { class: "card", id: "visit-form" });
    form.append(
      el("h2", { text: "走访 · " + person(h) }),
      el("label", {}, "走访类型", el("select", { name: "kind", required: true }, kit.visit_kinds.map(([k, label]) => el("option", { value: k }, label)))),
      el("label", {}, "走访日期", el("input", { type: "date", name: "visited_on", required: true, value: localDay() })),
      el("label", {}, "走访情况", el("textarea", { name: "note", required: true, maxlength: "300", rows: "4" })),
      el("button", { type: "submit", class: "primary" }, "记下走访")
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const body = {
        visited_on: form.elements.visited_on.value,
        kind: form.elements.kind.value,
        note: form.elements.note.value.trim(),
        idempotency_key: key("v"),
      };
      enqueue({ kind: "visit", ref: h.id, title: "走访 · " + person(h) + " · " + body.visited_on, path: "/households/" + h.id + "/visits", body });
    });
    return [back(), form];
  }

  // --- wiring ----------------------------------------------------------------------------------
  for (const b of root.querySelectorAll("[data-tab]")) b.addEventListener("click", () => ((tab = b.dataset.tab), (open = null), render()));
  document.getElementById("sync").addEventListener("click", () => send());
  document.getElementById("refresh").addEventListener("click", () => download());
  window.addEventListener("online", () => send().then(download));
  window.addEventListener("offline", render);
  render();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.home }).then(() => {
      root.dataset.ready = "1";
    }, () => {
      root.dataset.ready = "0";
    });
  }
  download().then(send);
})();
