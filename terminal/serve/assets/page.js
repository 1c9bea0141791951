// The service-window page of `sscard serve`: same origin as the service, token from <meta>.
"use strict";
const token = document.querySelector('meta[name="sscard-token"]').content;
const $ = (id) => document.getElementById(id);

function log(text, cls) {
  const line = document.createElement("div");
  line.textContent = new Date().toLocaleTimeString() + "  " + text;
  if (cls) line.className = cls;
  $("log").prepend(line);
}

async function api(method, path, body) {
  const init = { method, headers: { Authorization: "Bearer " + token } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const j = await r.json();
  if (!r.ok) {
    const e = new Error(j.error ? j.error.message : r.statusText);
    e.info = j.error || {};
    throw e;
  }
  return j;
}

const reader = () => encodeURIComponent($("reader").value);
// The card identification code of the last card read: a dormant (blocked) application does not
// let it be read, and activating it needs it.
let cardId = null;

async function loadReaders() {
  const j = await api("GET", "/v1/readers");
  const sel = $("reader");
  const keep = sel.value;
  sel.innerHTML = "";
  for (const r of j.readers) {
    const o = document.createElement("option");
    o.value = r.name;
    o.textContent = r.name + (r.card === "present" ? " ●" : "");
    sel.appendChild(o);
  }
  const withCard = j.readers.find((r) => r.card === "present");
  if (keep && j.readers.some((r) => r.name === keep)) sel.value = keep;
  else if (withCard) sel.value = withCard.name;
}

const FIELDS = [
  ["姓名 Name", (i) => i.holder.name],
  ["社会保障号码 SSN", (i) => i.holder.ssn],
  ["卡号 Card number", (i) => i.issuer.card_number],
  ["性别 Sex", (i) => i.holder.sex.zh + " " + i.holder.sex.en],
  ["民族 Ethnicity", (i) => i.holder.ethnicity.zh + " " + i.holder.ethnicity.en],
  ["出生日期 Birth date", (i) => i.holder.birth_date],
  ["发卡日期 Issued", (i) => i.issuer.issue_date],
  ["有效期 Expires", (i) => i.issuer.expiry_date],
  ["规范版本 Version", (i) => i.issuer.version],
];

async function readCard() {
  try {
    const j = await api("GET", "/v1/readers/" + reader() + "/card");
    const tb = $("holder").querySelector("tbody");
    tb.innerHTML = "";
    for (const [label, get] of FIELDS) {
      const tr = document.createElement("tr");
      const a = document.createElement("td");
      a.className = "label";
      a.textContent = label;
      const b = document.createElement("td");
      b.textContent = get(j.info);
      tr.append(a, b);
      tb.appendChild(tr);
    }
    cardId = j.info.issuer.card_id.raw;
    $("status").textContent = "已读卡 Card read: " + j.info.holder.name;
    log("读卡 read card " + j.info.issuer.card_number, "ok");
    loadPhoto();
    tries();
  } catch (e) {
    $("status").textContent = "读卡失败 Read failed: " + e.message;
    log("读卡失败 read failed: " + e.message, "err");
  }
}

async function loadPhoto() {
  const img = $("photo");
  img.style.display = "none";
  try {
    const j = await api("GET", "/v1/readers/" + reader() + "/items?path=SSSE/EF08");
    const ef = j.items[0];
    const hex = ef && ef.content && ef.content.hex;
    if (hex && /^FFD8/i.test(hex)) {
      const bytes = hex.match(/../g).map((h) => parseInt(h, 16));
      img.src = "data:image/jpeg;base64," + btoa(String.fromCharCode(...bytes));
      img.style.display = "block";
    }
  } catch (e) {
    // No photo on the card, or the key set does not open EF08: nothing to show.
  }
}

async function tries() {
  try {
    const j = await api("GET", "/v1/readers/" + reader() + "/pin");
    $("tries").textContent = j.tries_left;
  } catch (e) {
    $("tries").textContent = "-";
  }
}

function pinOutcome(what, p) {
  return p
    .then((j) => {
      $("tries").textContent = j.tries_left;
      log(what + " 成功 ok, 剩余 tries left " + j.tries_left, "ok");
    })
    .catch((e) => {
      if (e.info.tries_left !== undefined) $("tries").textContent = e.info.tries_left;
      log(what + " 失败 failed: " + e.message, "err");
    });
}

$("read").onclick = readCard;
$("verify").onclick = () =>
  pinOutcome("校验密码 verify PIN", api("POST", "/v1/readers/" + reader() + "/pin/verify", { pin: $("pin").value }));
$("change").onclick = () =>
  pinOutcome("修改密码 change PIN", api("POST", "/v1/readers/" + reader() + "/pin/change", { old: $("pin").value, new: $("newpin").value }));
$("unblock").onclick = () => pinOutcome("解锁密码 unblock PIN", api("POST", "/v1/readers/" + reader() + "/pin/unblock", {}));
$("reload").onclick = () =>
  pinOutcome("重置密码 reload PIN", api("POST", "/v1/readers/" + reader() + "/pin/reload", { new: $("newpin").value }));
$("dormant").onclick = () =>
  api("POST", "/v1/readers/" + reader() + "/application/block", { permanent: false })
    .then(() => log("应用已休眠 application dormant (blocked)", "ok"))
    .catch((e) => log("休眠失败 block failed: " + e.message, "err"));
$("activate").onclick = () =>
  api("POST", "/v1/readers/" + reader() + "/application/unblock", cardId ? { card_id: cardId } : {})
    .then(() => log("应用已激活 application active (unblocked)", "ok"))
    .catch((e) => log("激活失败 unblock failed: " + e.message, "err"));

// Card events: read on insertion, clear on removal. EventSource sends no Authorization header,
// so the events stream is fetched with the token and read as a stream.
async function events() {
  for (;;) {
    try {
      const r = await fetch("/v1/events", { headers: { Authorization: "Bearer " + token } });
      const rd = r.body.getReader();
      const dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await rd.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5)).join("");
          if (!data) continue;
          const ev = JSON.parse(data);
          await loadReaders();
          if (ev.event === "inserted") {
            $("reader").value = ev.reader;
            log("插卡 card inserted in " + ev.reader);
            readCard();
          } else {
            log("拔卡 card removed from " + ev.reader);
            $("holder").querySelector("tbody").innerHTML = "";
            $("status").textContent = "请插卡 Please insert a card";
          }
        }
      }
    } catch (e) {
      log("事件连接中断 event stream lost: " + e.message, "err");
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

loadReaders()
  .then(() => {
    const sel = $("reader");
    if (sel.value && sel.selectedOptions[0] && sel.selectedOptions[0].textContent.endsWith("●")) readCard();
  })
  .catch((e) => log("读卡器列表失败 readers failed: " + e.message, "err"));
events();
