/*
 * Bản Bot simulator web chat.
 *
 * Talks to POST /sim/messages and shows the replies the way each channel would:
 * Telegram / Zalo with buttons under the bubble, SMS as plain grey bubbles with numbered
 * options. The conversation is kept in memory as raw entries, so switching channel simply
 * re-renders them. All text goes through textContent; no HTML is ever built from data.
 *
 * What the bot sends on its own (an alert, a status change, an officer's reply, a notice)
 * arrives through GET /sim/outbox/{user}, polled every few seconds, and is shown as it comes.
 */
(function () {
  "use strict";

  const API = "/sim/messages";
  const OUTBOX = "/sim/outbox/";
  const OUTBOX_EVERY_MS = 3000;
  const PUSHED = {
    alert: "cảnh báo",
    status: "cập nhật phản ánh",
    officer_reply: "cán bộ trả lời",
    notice: "thông báo",
    system: "tin hệ thống",
  };
  const TIMEOUT_MS = 20000;
  const STORE_USER = "banbot.sim.user";
  const STORE_CHANNEL = "banbot.sim.channel";
  const CHANNELS = ["telegram", "zalo", "sms"];
  const SMS_HINT = "Trả lời bằng số, ví dụ: 1";
  // Approximate pins for trying the location journeys without GPS.
  const PINS = [
    { label: "Bản Nam Niệu, phường Chiềng An (Sơn La)", lat: 21.3335, lon: 103.9235 },
    { label: "Phường Tô Hiệu, trung tâm Sơn La", lat: 21.3271, lon: 103.9141 },
    { label: "Trung tâm tỉnh Lai Châu", lat: 22.3964, lon: 103.4582 },
    { label: "Trung tâm tỉnh Thái Nguyên", lat: 21.5942, lon: 105.8482 },
    { label: "Hà Nội (ngoài vùng phục vụ)", lat: 21.0285, lon: 105.8542 },
  ];
  const REQUEST_LABELS = {
    location: "📍 Gửi vị trí",
    contact: "📞 Gửi số điện thoại",
    photo: "📷 Gửi ảnh",
  };

  const $ = (id) => document.getElementById(id);
  const phone = $("phone");
  const log = $("log");
  const welcome = $("welcome");
  const typing = $("typing");
  const statusLine = $("status");
  const form = $("composer");
  const input = $("input");
  const sendBtn = $("send");
  const locBtn = $("share-location");
  const photoBtn = $("send-photo");
  const picker = $("picker");
  const gpsNote = $("gps-note");
  const userLine = $("user-id");

  const state = { user: "", channel: "telegram", entries: [], busy: false, outboxAfter: 0 };

  // --- storage (may be unavailable: private mode, file://) --------------------------------

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (_) { return null; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, value); } catch (_) { /* memory only */ }
  }
  function newUserId() {
    const rand = window.crypto && window.crypto.randomUUID
      ? window.crypto.randomUUID().slice(0, 8)
      : Math.random().toString(36).slice(2, 10);
    return "web-" + rand;
  }

  // --- small DOM helper: text only, never HTML ---------------------------------------------

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key === "on") Object.entries(value).forEach(([ev, fn]) => node.addEventListener(ev, fn));
      else if (key === "disabled" || key === "hidden") node[key] = Boolean(value);
      else node.setAttribute(key, String(value));
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  function clock(date) {
    return date.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
  }

  // --- rendering ---------------------------------------------------------------------------

  function renderAll() {
    phone.dataset.channel = state.channel;
    document.querySelectorAll(".channels [role=radio]").forEach((b) => {
      const on = b.dataset.channel === state.channel;
      b.setAttribute("aria-checked", String(on));
      b.tabIndex = on ? 0 : -1;
    });
    const sms = state.channel === "sms";
    [locBtn, photoBtn].forEach((b) => {
      b.disabled = sms;
      b.title = sms ? "Không có trên SMS" : b.getAttribute("aria-label");
    });
    userLine.textContent = "Mã người dùng: " + state.user;
    log.replaceChildren(welcome, ...state.entries.map(renderEntry));
    welcome.hidden = state.entries.length > 0;
    scrollDown();
  }

  function renderEntry(entry) {
    if (entry.kind === "user") return renderUser(entry);
    if (entry.kind === "error") return renderError(entry);
    return renderBot(entry);
  }

  function meta(entry, extra) {
    return el("span", { class: "meta", text: clock(entry.at) + (extra ? " · " + extra : "") });
  }

  function renderUser(entry) {
    const cls = "msg out" + (entry.failed ? " failed" : "") + (entry.photo ? " photo" : "");
    return el("div", { class: cls }, [
      el("p", { class: "bubble", text: entry.text }),
      meta(entry, entry.failed ? "chưa gửi được" : ""),
    ]);
  }

  function renderError(entry) {
    const retry = entry.retry
      ? el("button", { type: "button", class: "retry", text: "Thử lại", on: { click: entry.retry } })
      : null;
    return el("div", { class: "msg error", role: "alert" }, [
      el("p", { class: "bubble", text: "⚠️ " + entry.text }),
      retry,
    ]);
  }

  function renderBot(entry) {
    const sms = state.channel === "sms";
    let text = entry.text;
    if (sms && entry.buttons.length) {
      const lines = entry.buttons.map((b, i) => (i + 1) + ". " + b.title);
      text = [text, ...lines, SMS_HINT].filter(Boolean).join("\n");
    }
    const node = el("div", { class: "msg in" }, [el("p", { class: "bubble", text: text })]);
    if (!sms && entry.buttons.length) {
      node.appendChild(el("div", { class: "buttons", role: "group", "aria-label": "Lựa chọn" },
        entry.buttons.map((b) => el("button", {
          type: "button",
          class: "choice" + (entry.used === b.payload ? " chosen" : ""),
          text: b.title,
          disabled: entry.used !== null,
          "aria-pressed": String(entry.used === b.payload),
          on: { click: () => pressButton(entry, b) },
        }))));
    }
    if (!sms && entry.request && REQUEST_LABELS[entry.request]) {
      node.appendChild(el("div", { class: "buttons request" }, [el("button", {
        type: "button",
        class: "choice",
        text: REQUEST_LABELS[entry.request],
        on: { click: () => answerRequest(entry.request) },
      })]));
    }
    const label = [entry.pushed ? PUSHED[entry.pushed] || "tin chủ động" : "", sms ? "SMS" : ""];
    node.appendChild(meta(entry, label.filter(Boolean).join(" · ")));
    if (entry.pushed) node.classList.add("pushed");
    return node;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function setBusy(busy) {
    state.busy = busy;
    sendBtn.disabled = busy;
    typing.hidden = !busy;
    statusLine.textContent = busy ? "đang soạn tin…" : "Trợ lý bà con vùng cao";
    if (busy) log.appendChild(typing);
    scrollDown();
  }

  // --- talking to the server ---------------------------------------------------------------

  function describeDetail(detail) {
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      return detail.map((d) => (d && d.msg ? d.msg + (d.loc ? " (" + d.loc.join(".") + ")" : "")
        : JSON.stringify(d))).join("; ");
    }
    return JSON.stringify(detail);
  }

  function cleanReplies(data) {
    const replies = data && Array.isArray(data.replies) ? data.replies : null;
    if (!replies) throw new Error("Máy chủ trả lời không đúng định dạng.");
    return replies.map((r) => ({
      kind: "bot",
      at: new Date(),
      text: typeof r.text === "string" ? r.text : "",
      buttons: Array.isArray(r.buttons)
        ? r.buttons.filter((b) => b && typeof b.payload === "string")
          .map((b) => ({ title: String(b.title || b.payload), payload: b.payload }))
        : [],
      request: typeof r.request === "string" ? r.request : null,
      used: null,
    }));
  }

  async function post(body) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
    try {
      const res = await fetch(API, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        signal: ctrl.signal,
      });
      let data = null;
      try { data = await res.json(); } catch (_) { /* not JSON */ }
      if (res.status === 422) {
        throw new Error("Dữ liệu không hợp lệ: " + describeDetail(data && data.detail));
      }
      if (!res.ok) {
        const why = data && data.detail ? ": " + describeDetail(data.detail) : "";
        throw new Error("Máy chủ báo lỗi " + res.status + why + ". Tin nhắn chưa được xử lý.");
      }
      return cleanReplies(data);
    } catch (err) {
      if (err.name === "AbortError") throw new Error("Máy chủ không trả lời kịp. Hãy thử lại.");
      if (err instanceof TypeError) {
        throw new Error("Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.");
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Send one message. `fields` holds text / button / location / media; `echo` is what the
   * user's bubble shows; `restore` is typed text to put back in the input if sending fails;
   * `onFail` undoes local changes (a pressed button becomes pressable again).
   */
  async function send(fields, echo, restore, onFail) {
    if (state.busy) return false;
    const body = Object.assign({ user: state.user, channel: state.channel, text: "" }, fields);
    const mine = { kind: "user", at: new Date(), text: echo, failed: false, photo: !!fields.media };
    state.entries.push(mine);
    renderAll();
    setBusy(true);
    try {
      const replies = await post(body);
      state.entries.push(...replies);
    } catch (err) {
      mine.failed = true;
      if (onFail) onFail();
      if (restore) input.value = input.value ? restore + " " + input.value : restore;
      const entry = { kind: "error", at: new Date(), text: err.message };
      entry.retry = () => {
        state.entries = state.entries.filter((e) => e !== entry && e !== mine);
        if (restore && input.value.startsWith(restore)) {
          input.value = input.value.slice(restore.length).trimStart();
        }
        send(fields, echo, restore, onFail);
      };
      state.entries.push(entry);
    } finally {
      setBusy(false);
      renderAll();
    }
    return true;
  }

  function sendTyped() {
    const text = input.value.trim();
    if (!text || state.busy) return;
    input.value = "";
    send({ text: text }, text, text, null);
    input.focus();
  }

  function pressButton(entry, button) {
    if (state.busy || entry.used !== null) return;
    entry.used = button.payload;
    send({ text: button.title, button: button.payload }, button.title, null, () => {
      entry.used = null;
    });
  }

  function sendLocation(lat, lon, label) {
    picker.close();
    const echo = "📍 " + (label ? label + " " : "") + "(" + lat.toFixed(4) + ", " + lon.toFixed(4) + ")";
    send({ location: { lat: lat, lon: lon } }, echo, null, null);
  }

  function sendPhoto() {
    const name = "photo-" + Date.now() + ".jpg";
    send({ media: [name] }, "📷 " + name, null, null);
  }

  function answerRequest(kind) {
    if (kind === "location") openPicker();
    else if (kind === "photo") sendPhoto();
    else {
      input.placeholder = "Nhập số điện thoại, ví dụ 0912 345 678";
      input.focus();
    }
  }

  // --- location picker ---------------------------------------------------------------------

  function openPicker() {
    if (state.busy) return;
    gpsNote.textContent = "";
    if (typeof picker.showModal === "function") picker.showModal();
    else picker.setAttribute("open", "");
  }

  function useGps() {
    if (!navigator.geolocation) {
      gpsNote.textContent = "Trình duyệt không hỗ trợ định vị. Hãy chọn một điểm mẫu.";
      return;
    }
    gpsNote.textContent = "Đang lấy vị trí…";
    navigator.geolocation.getCurrentPosition(
      (pos) => sendLocation(pos.coords.latitude, pos.coords.longitude, ""),
      (err) => {
        gpsNote.textContent = "Không lấy được vị trí (" + err.message + "). Hãy chọn một điểm mẫu.";
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
    );
  }

  // --- wiring ------------------------------------------------------------------------------

  /** Fetch what the bot sent this person on its own since the last look. */
  async function pollOutbox() {
    if (!state.user) return;
    const url = OUTBOX + encodeURIComponent(state.user) + "?after=" + state.outboxAfter;
    try {
      const res = await fetch(url, { headers: { Accept: "application/json" } });
      if (!res.ok) return;
      const data = await res.json();
      const messages = data && Array.isArray(data.messages) ? data.messages : [];
      if (!messages.length) return;
      for (const m of messages) {
        if (typeof m.id === "number") state.outboxAfter = Math.max(state.outboxAfter, m.id);
        state.entries.push({
          kind: "bot",
          at: m.at ? new Date(m.at) : new Date(),
          text: typeof m.text === "string" ? m.text : "",
          buttons: Array.isArray(m.buttons)
            ? m.buttons.filter((b) => b && typeof b.payload === "string")
              .map((b) => ({ title: String(b.title || b.payload), payload: b.payload }))
            : [],
          request: null,
          used: null,
          pushed: typeof m.kind === "string" ? m.kind : "system",
        });
      }
      renderAll();
    } catch (_) {
      /* offline for a moment: the next look catches up */
    }
  }

  function setChannel(channel) {
    if (!CHANNELS.includes(channel)) return;
    state.channel = channel;
    save(STORE_CHANNEL, channel);
    renderAll();
  }

  function newChat() {
    state.user = newUserId();
    save(STORE_USER, state.user);
    state.entries = [];
    state.outboxAfter = 0;
    input.value = "";
    input.placeholder = "Nhập tin nhắn…";
    renderAll();
    input.focus();
  }

  function init() {
    state.user = load(STORE_USER) || newUserId();
    save(STORE_USER, state.user);
    const channel = load(STORE_CHANNEL);
    if (CHANNELS.includes(channel)) state.channel = channel;

    form.addEventListener("submit", (ev) => { ev.preventDefault(); sendTyped(); });
    $("start").addEventListener("click", () => send({ text: "xin chào" }, "xin chào", null, null));
    $("new-chat").addEventListener("click", newChat);
    locBtn.addEventListener("click", openPicker);
    photoBtn.addEventListener("click", sendPhoto);
    $("use-gps").addEventListener("click", useGps);

    const radios = Array.from(document.querySelectorAll(".channels [role=radio]"));
    radios.forEach((b, i) => {
      b.addEventListener("click", () => setChannel(b.dataset.channel));
      b.addEventListener("keydown", (ev) => {
        const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
        if (!step) return;
        ev.preventDefault();
        const next = radios[(i + step + radios.length) % radios.length];
        setChannel(next.dataset.channel);
        next.focus();
      });
    });

    $("pins").replaceChildren(...PINS.map((pin) => el("li", {}, [el("button", {
      type: "button",
      class: "pin",
      text: pin.label,
      on: { click: () => sendLocation(pin.lat, pin.lon, pin.label) },
    })])));

    renderAll();
    pollOutbox();
    setInterval(pollOutbox, OUTBOX_EVERY_MS);
    input.focus();
  }

  init();
})();
