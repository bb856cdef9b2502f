/* mock-efidem's web inbox, enhanced: live updates over /_mock/events, search as you
   type, tabs, and the buttons that drive the JSON API (same origin, JSON bodies, so
   the control API's guard lets them through).

   Safe by construction: every value goes into the page as text (textContent, text
   nodes, setAttribute), never as HTML. The server renders the first view; this
   script redraws the same elements from the inbox's JSON. */
(function () {
  "use strict";

  const root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  const INBOX = "/_mock/inbox";
  const CALLS = INBOX + "/calls";
  const REFRESH_DELAY = 150;
  const TYPING_DELAY = 250;
  const page = document.body.dataset.page;

  // --- small helpers -----------------------------------------------------------------

  function $(selector, scope) {
    return (scope || document).querySelector(selector);
  }

  function $$(selector, scope) {
    return Array.from((scope || document).querySelectorAll(selector));
  }

  /* An element with attributes and children (strings become text nodes). */
  function el(tag, attributes, children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined && value !== false) {
        element.setAttribute(name, value === true ? "" : String(value));
      }
    }
    for (const child of [].concat(children === undefined ? [] : children)) {
      element.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return element;
  }

  function toast(text, isError) {
    const box = $("#toast");
    if (!box) return;
    box.textContent = text;
    box.classList.toggle("error", Boolean(isError));
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, isError ? 8000 : 3000);
  }

  /* Calls the control API; resolves to its JSON (or text), rejects with its error. */
  async function api(method, path, body, contentType) {
    const init = { method: method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = contentType || "application/json";
      init.body = contentType ? body : JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    let answer = text;
    if ((response.headers.get("Content-Type") || "").startsWith("application/json")) {
      answer = text ? JSON.parse(text) : null;
    }
    if (!response.ok) {
      const reason = answer && answer.error ? answer.error : "HTTP " + response.status;
      const error = new Error(reason);
      error.status = response.status;
      throw error;
    }
    return answer;
  }

  /* At most one run per ``delay``, never postponed by more calls: a busy mock still
     gets its list redrawn. */
  function throttle(action, delay) {
    let timer = null;
    return function () {
      if (timer === null) {
        timer = setTimeout(function () {
          timer = null;
          action();
        }, delay);
      }
    };
  }

  function debounce(action, delay) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(action, delay);
    };
  }

  /* Runs ``load`` now, or once more after the one in flight (never two at once); the
     promise returned settles once a run that started after the call has ended. */
  function serialised(load) {
    let running = null;
    let queued = null;
    async function once() {
      try {
        await load();
      } catch (error) {
        toast(error.message, true);
      }
    }
    return function run() {
      if (running === null) {
        running = once().finally(function () { running = null; });
        return running;
      }
      if (queued === null) {
        queued = running.then(function () {
          queued = null;
          return run();
        });
      }
      return queued;
    };
  }

  function withQuery(path, params) {
    const query = params.toString();
    return query ? path + "?" + query : path;
  }

  function statusSpan(label, final) {
    return el("span", { class: final ? "status final" : "status" }, label);
  }

  // --- the mock's clock --------------------------------------------------------------

  const clock = {
    box: $('[data-testid="clock"]'),
    now: 0,
    frozen: true,
    readAt: 0,

    set(answer) {
      this.now = Date.parse(String(answer.now).replace(/(\.\d{3})\d+/, "$1"));
      this.frozen = Boolean(answer.frozen);
      this.readAt = Date.now();
      this.draw();
    },

    draw() {
      if (!this.box || Number.isNaN(this.now)) return;
      const shown = this.frozen ? this.now : this.now + (Date.now() - this.readAt);
      $('[data-testid="clock-time"]', this.box).textContent = new Date(shown)
        .toISOString().slice(0, 19).replace("T", " ");
      $('[data-testid="clock-state"]', this.box).textContent = this.frozen ? "frozen" : "running";
      this.box.dataset.frozen = String(this.frozen);
    },

    async reload() {
      this.set(await api("GET", "/_mock/clock"));
    },
  };
  if (clock.box) {
    clock.set({ now: clock.box.dataset.now, frozen: clock.box.dataset.frozen === "true" });
    setInterval(function () { clock.draw(); }, 1000);
  }

  // --- live updates: /_mock/events ------------------------------------------------------

  const live = {
    source: null,
    retry: 2000,
    handlers: {},
    missed: false,

    start(handlers) {
      this.handlers = handlers;
      if (!window.EventSource) return;
      $('[data-testid="live-status"]').hidden = false;
      this.connect();
      // A closed tab frees its stream at once (the mock serves a few dozen); a page
      // brought back from the browser's cache listens again and catches up.
      window.addEventListener("pagehide", () => this.source && this.source.close());
      window.addEventListener("pageshow", (event) => {
        if (!event.persisted) return;
        this.missed = true;
        this.connect();
      });
    },

    state(state, text) {
      const badge = $('[data-testid="live-status"]');
      if (badge) {
        badge.dataset.state = state;
        badge.textContent = text;
      }
    },

    connect() {
      const source = new EventSource("/_mock/events");
      this.source = source;
      this.state("connecting", "connecting…");
      source.onopen = () => {
        this.retry = 2000;
        this.state("on", "live");
        if (this.missed) this.handle("resync", {});
        this.missed = false;
      };
      source.onerror = () => {
        this.missed = true;
        if (source.readyState === EventSource.CLOSED) {
          // Refused (503: too many streams), or gone: try again, less and less often.
          this.state("off", "offline, retrying");
          setTimeout(() => this.connect(), this.retry);
          this.retry = Math.min(this.retry * 2, 30000);
        } else {
          this.state("connecting", "reconnecting…");
        }
      };
      for (const name of ["message", "call", "reset", "clock"]) {
        source.addEventListener(name, (event) => {
          let data;
          try {
            data = JSON.parse(event.data);
          } catch (error) {
            return; // not the contract's: nothing to draw from it
          }
          this.handle(name, data);
        });
      }
      // Too much at once: the server closes the stream; the page reloads what it shows.
      source.addEventListener("overflow", () => {
        this.missed = true;
        this.handle("resync", {});
      });
    },

    handle(name, data) {
      // Every page shows the clock: another client's advance or freeze moves it here.
      if (name === "clock") clock.set(data);
      const handler = this.handlers[name];
      if (handler) handler(data);
    },
  };

  // --- lists: their filters, rows and pagers ---------------------------------------------

  /* A list page (messages or calls): search as you type over its GET form, and its
     rows redrawn from ``rowsPath`` with the same query. */
  function listPage(options) {
    const form = $(options.form);
    const body = $(options.body);
    let shown = new Set($$(options.row, body).map((row) => row.dataset.id));

    function query() {
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (String(value).trim() !== "") params.set(name, String(value));
      }
      const before = new URLSearchParams(location.search).get("before");
      if (before) params.set("before", before);
      return params;
    }

    const refresh = serialised(async function () {
      const answer = await api("GET", options.rowsPath + "?" + query().toString());
      clock.set(answer.clock);
      const rows = answer.rows.map(options.draw);
      for (const row of rows) {
        if (!shown.has(row.dataset.id)) row.classList.add("fresh");
      }
      if (rows.length === 0) {
        const empty = el("td", { colspan: options.columns }, answer.empty || "No call matches.");
        rows.push(el("tr", { class: "empty", "data-testid": options.emptyId }, empty));
      }
      body.replaceChildren(...rows);
      shown = new Set(answer.rows.map((row) => row.id));
      $(options.total).textContent = String(answer.total);
      drawPager(answer.older);
    });

    function drawPager(older) {
      const pager = $(options.pager);
      const olderLink = $(options.olderLink, pager);
      if (olderLink) olderLink.remove();
      if (older) {
        pager.append(el("a", { href: older, "data-testid": options.olderId }, options.olderText));
      }
    }

    const typed = debounce(function () {
      const params = query();
      params.delete("before"); // a new search starts from the newest
      history.replaceState(null, "", withQuery(options.path, params));
      const newest = $('[data-testid="newest"]');
      if (newest) newest.remove();
      refresh();
    }, TYPING_DELAY);

    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      typed();
    });

    return {
      refresh: refresh,
      later: throttle(refresh, REFRESH_DELAY),
      firstPage: () => !new URLSearchParams(location.search).get("before"),
    };
  }

  function newerBanner(text, path) {
    if ($('[data-testid="newer-banner"]')) return;
    const params = new URLSearchParams(location.search);
    params.delete("before");
    const link = el("a", { href: withQuery(path, params) }, "show them");
    const banner = el("p", { class: "banner info", "data-testid": "newer-banner" }, [text + " ", link]);
    $("#main").prepend(banner);
  }

  // --- the messages list --------------------------------------------------------------------

  const MESSAGE_COLUMNS = ["Sent", "Channel", "To", "Subject / text", "Status", "Account", ""];

  function messageRow(row) {
    const recipients = row.recipients.map((r) => el("span", { class: "recipient" }, r.address));
    if (row.more > 0) recipients.push(el("span", { class: "more muted" }, "+" + row.more + " more"));
    const contents = [
      row.sent,
      el("span", { class: "channel channel-" + row.channel }, row.channel_name),
      recipients,
      el("a", { href: row.href, "data-testid": "message-link" }, row.summary),
      row.recipients.map((r) => statusSpan(r.status, r.final)),
      row.account,
      deleteButton(row.id),
    ];
    const ids = ["sent", "channel", "recipients", "summary", "status", "account", "actions"];
    const cells = contents.map((content, n) =>
      el("td", { "data-label": MESSAGE_COLUMNS[n], "data-testid": "message-" + ids[n] }, content));
    return el("tr", { "data-testid": "message-row", "data-id": row.id, "data-channel": row.channel }, cells);
  }

  function deleteButton(id) {
    return el("button", {
      type: "button", class: "js-only danger small", "data-action": "delete",
      "data-id": id, "data-testid": "delete-message",
    }, "Delete");
  }

  function startMessageList() {
    const list = listPage({
      form: '[data-testid="filters"]',
      body: '[data-testid="message-rows"]',
      row: '[data-testid="message-row"]',
      rowsPath: INBOX + "/rows",
      path: INBOX,
      draw: messageRow,
      columns: MESSAGE_COLUMNS.length,
      emptyId: "no-messages",
      total: '[data-testid="list-total"]',
      pager: '[data-testid="pager"]',
      olderLink: '[data-testid="older"]',
      olderId: "older",
      olderText: "Older messages →",
    });
    live.start({
      message(event) {
        if (event.change === "created" && !list.firstPage()) {
          newerBanner("New messages arrived.", INBOX);
        } else {
          list.later();
        }
      },
      reset: list.later,
      resync: list.refresh,
    });
    return list;
  }

  // --- the calls list ---------------------------------------------------------------------

  const CALL_COLUMNS = ["At", "Protocol", "Operation", "Account", "Result", "Why", "Messages", "Time"];

  function whyParts(parts) {
    const spans = [];
    parts.forEach(([kind, text], n) => {
      if (n > 0) spans.push(" ");
      spans.push(el("span", { class: "why-" + kind, "data-testid": "why-" + kind }, text));
    });
    return spans;
  }

  function callRow(row) {
    const result = [el("span", { class: "result" }, row.result)];
    if (row.http_note) result.push(" ", el("span", { class: "http" }, "HTTP " + row.http_status));
    const messages = [];
    row.messages.forEach((m, n) => {
      if (n > 0) messages.push(" ");
      messages.push(el("a", { href: m.href, "data-testid": "call-message" }, m.short));
    });
    const contents = [
      row.at,
      row.protocol,
      el("a", { href: row.href, "data-testid": "call-link" }, row.operation),
      row.account,
      result,
      whyParts(row.why),
      messages,
      row.time,
    ];
    const ids = ["at", "protocol", "operation", "account", "result", "why", "messages", "time"];
    const cells = contents.map((content, n) =>
      el("td", { "data-label": CALL_COLUMNS[n], "data-testid": "call-" + ids[n] }, content));
    const classes = row.rejected ? "call rejected" : "call";
    return el("tr", { class: classes, "data-testid": "call-row", "data-id": String(row.id) }, cells);
  }

  function startCallList() {
    const list = listPage({
      form: '[data-testid="calls-filters"]',
      body: '[data-testid="call-rows"]',
      row: '[data-testid="call-row"]',
      rowsPath: CALLS + "/rows",
      path: CALLS,
      draw: callRow,
      columns: CALL_COLUMNS.length,
      emptyId: "no-calls",
      total: '[data-testid="calls-total"]',
      pager: '[data-testid="calls-pager"]',
      olderLink: '[data-testid="older-calls"]',
      olderId: "older-calls",
      olderText: "Older calls →",
    });
    live.start({
      call() {
        if (list.firstPage()) list.later();
        else newerBanner("New calls arrived.", CALLS);
      },
      reset: list.later,
      resync: list.refresh,
    });
    return list;
  }

  // --- one message ------------------------------------------------------------------------

  function startTabs() {
    for (const tabs of $$(".tabs")) {
      const buttons = $$('[role="tab"]', tabs);
      const show = function (name) {
        for (const button of buttons) {
          button.setAttribute("aria-selected", String(button.dataset.tab === name));
        }
        for (const panel of $$("[data-panel]", tabs)) panel.hidden = panel.dataset.panel !== name;
      };
      for (const button of buttons) button.addEventListener("click", () => show(button.dataset.tab));
      show(tabs.dataset.first || "html");
    }
  }

  function timelineItem(event) {
    const classes = ["event"];
    if (event.final) classes.push("final");
    if (event.upcoming) classes.push("upcoming");
    const parts = [];
    if (event.upcoming) parts.push(el("span", { class: "due" }, "due"), " ");
    parts.push(el("time", {}, event.at), " ", el("span", { class: "status" }, event.status));
    if (event.detail) parts.push(" ", el("span", { class: "detail" }, event.detail));
    return el("li", { class: classes.join(" "), "data-testid": "timeline-event" }, parts);
  }

  function drawRecipient(card, state) {
    $('[data-testid="recipient-status"]', card).replaceChildren(statusSpan(state.status, state.final));
    $('[data-testid="timeline"]', card).replaceChildren(...state.timeline.map(timelineItem));
    const select = $('[data-testid="force-status"]', card);
    const kept = select.value;
    select.replaceChildren(...state.reachable.map((choice) =>
      el("option", { value: choice.name, selected: choice.name === kept }, choice.label)));
    $('[data-testid="force-choices"]', card).hidden = state.reachable.length === 0;
    $('[data-testid="force-none"]', card).hidden = state.reachable.length > 0;
  }

  function startMessage() {
    const article = $('[data-testid="message"]');
    const id = article.dataset.id;

    function gone() {
      $('[data-testid="deleted-banner"]').hidden = false;
      for (const control of $$("[data-action]", article.parentNode)) {
        if (control.closest(".toolbar") === null) control.disabled = true;
      }
    }

    const refresh = serialised(async function () {
      let state;
      try {
        state = await api("GET", INBOX + "/" + encodeURIComponent(id) + "/live");
      } catch (error) {
        if (error.status === 404) return gone();
        throw error;
      }
      clock.set(state.clock);
      for (const recipient of state.recipients) {
        const card = $('[data-testid="recipient"][data-index="' + recipient.index + '"]', article);
        if (card) drawRecipient(card, recipient);
      }
    });

    startTabs();
    live.start({
      message(event) {
        if (event.id !== id) return;
        if (event.change === "deleted") gone();
        else refresh();
      },
      reset: refresh,
      resync: refresh,
    });
    return { refresh: refresh, id: id };
  }

  // --- the buttons ---------------------------------------------------------------------------

  // Pages without data of their own (a call's) still show the clock right.
  let view = { refresh: () => clock.reload() };

  const actions = {
    async advance(button) {
      const seconds = Number(button.dataset.seconds);
      clock.set(await api("POST", "/_mock/clock/advance", { seconds: seconds }));
      toast("The clock moved " + button.textContent.trim() + ".");
      await view.refresh();
    },

    async freeze() {
      clock.set(await api("POST", "/_mock/clock/freeze", {}));
      toast("The clock is frozen.");
    },

    async unfreeze() {
      clock.set(await api("POST", "/_mock/clock/unfreeze", {}));
      toast("The clock runs.");
    },

    async reset() {
      const account = $('[data-testid="reset-account"]').value;
      const what = account
        ? "Clear the account “" + account + "”: its messages, its calls and its console users?"
        : "Reset the whole mock to its scenario's start: every message, the journal, " +
          "the clock and the rules added at run time?";
      if (!window.confirm(what)) return;
      await api("POST", "/_mock/reset", account ? { account: account } : {});
      toast(account ? "The account “" + account + "” is cleared." : "The mock is reset.");
      await view.refresh();
    },

    async "load-scenario"() {
      const name = $('[data-testid="scenario-select"]').value;
      if (!window.confirm("Load the scenario “" + name + "”? The mock restarts from it " +
          "(messages, clock and rules; the journal is kept).")) return;
      const text = await api("GET", INBOX + "/scenarios/" + encodeURIComponent(name));
      const loaded = await api("POST", "/_mock/scenario", text, "application/yaml");
      $('[data-testid="scenario-current"]').textContent = loaded.name;
      toast("Scenario “" + loaded.name + "” loaded.");
      await view.refresh();
    },

    async delete(button) {
      const id = button.dataset.id;
      if (!window.confirm("Delete this message? It leaves the mock's store.")) return;
      try {
        await api("DELETE", "/_mock/messages/" + encodeURIComponent(id));
      } catch (error) {
        if (error.status !== 404) throw error; // already gone: what was asked
      }
      toast("Message deleted.");
      if (page === "message") {
        location.assign(INBOX);
        return;
      }
      const row = button.closest("tr");
      if (row) row.remove();
      await view.refresh();
    },

    async force(button) {
      const form = button.closest('[data-testid="force-form"]');
      const status = $('[data-testid="force-status"]', form).value;
      const path = "/_mock/messages/" + encodeURIComponent(view.id) + "/status";
      await api("POST", path, { status: status, recipient: Number(form.dataset.index) });
      toast("Forced.");
      await view.refresh();
    },
  };

  document.addEventListener("click", async function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button || !actions[button.dataset.action]) return;
    event.preventDefault();
    button.disabled = true;
    try {
      await actions[button.dataset.action](button);
    } catch (error) {
      toast(error.message, true);
    } finally {
      button.disabled = false;
    }
  });

  if (page === "list") view = startMessageList();
  else if (page === "calls") view = startCallList();
  else if (page === "message") view = startMessage();
})();
