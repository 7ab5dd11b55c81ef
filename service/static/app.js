// The search page. Everything from the index is put on the page as text (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORE = "govqa-api-key";
const STOP = ["多少", "哪些", "哪个", "哪位", "什么", "今年", "要求", "负责", "牵头", "分管", "领导", "目标", "怎么", "如何", "是否", "请问"];
const state = { query: "", off: { district: false, year: false }, lastHits: [] };

function apiKey() {
  return localStorage.getItem(KEY_STORE) || "";
}

async function call(path, body) {
  const headers = { "Content-Type": "application/json" };
  if (apiKey()) headers["X-API-Key"] = apiKey();
  const init = body === undefined ? { headers } : { method: "POST", headers, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) $("key-box").hidden = false;
  if (!response.ok) {
    const message = (data.error && data.error.message) || `请求失败（${response.status}）`;
    throw new Error(message);
  }
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Spans of `text` that also occur in the question (2+ characters), longest first.
function highlightRanges(text, question) {
  const q = question.replace(/[\s，。？！、,.?!：:“”"'（）()]/g, "");
  const marks = new Array(text.length).fill(false);
  for (let i = 0; i < text.length; i++) {
    for (let len = Math.min(12, text.length - i); len >= 2; len--) {
      const piece = text.substr(i, len);
      if (q.includes(piece) && !STOP.includes(piece) && !/^\d+$/.test(piece)) {
        for (let j = i; j < i + len; j++) marks[j] = true;
        break;
      }
    }
  }
  return marks;
}

function highlighted(text, question) {
  const marks = highlightRanges(text, question);
  const fragment = document.createDocumentFragment();
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && marks[j] === marks[i]) j++;
    const piece = text.slice(i, j);
    fragment.appendChild(marks[i] ? el("mark", "", piece) : document.createTextNode(piece));
    i = j;
  }
  return fragment;
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = el("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  if (button) {
    button.textContent = "已复制";
    setTimeout(() => (button.textContent = "复制出处"), 1500);
  }
}

function owners(hit) {
  const box = el("div", "owners");
  const add = (label, values) => {
    if (!values || !values.length) return;
    const span = el("span");
    span.appendChild(document.createTextNode(label + "："));
    span.appendChild(el("b", "", values.join("、")));
    box.appendChild(span);
  };
  add("★牵头单位", hit.lead_departments);
  add("责任单位", hit.departments.filter((d) => !hit.lead_departments.includes(d)));
  add("责任板块", hit.areas);
  add("分管领导", hit.leaders);
  add("完成时限", hit.deadline ? [hit.deadline] : []);
  if (hit.ocr_confidence !== null && hit.ocr_confidence !== undefined) {
    box.appendChild(el("span", "scanned", `扫描件，文字由 OCR 识别（置信度 ${hit.ocr_confidence.toFixed(2)}）`));
  }
  return box;
}

function renderHits(hits, question) {
  const list = $("results");
  list.replaceChildren();
  hits.forEach((hit, n) => {
    const item = el("li", "hit");
    item.tabIndex = 0;
    item.dataset.citation = hit.citation;
    const copy = el("button", "copy", "复制出处");
    copy.type = "button";
    copy.addEventListener("click", () => copyText(hit.citation, copy));
    item.appendChild(copy);
    item.appendChild(el("div", "cite", `${n + 1}. ${hit.citation}`));
    if (hit.section.length) item.appendChild(el("div", "section", hit.section.join(" › ")));
    const text = el("div", "text");
    text.appendChild(highlighted(hit.text, question));
    item.appendChild(text);
    item.appendChild(owners(hit));
    list.appendChild(item);
  });
}

function renderAnswer(answer) {
  const card = $("answer");
  card.replaceChildren();
  card.hidden = false;
  card.classList.toggle("declined", !answer.found);
  card.appendChild(el("div", "label", answer.found ? "答案（摘自所引文件）" : "未找到直接答案"));
  card.appendChild(document.createTextNode(answer.answer));
}

function renderChips(filters) {
  const box = $("chips");
  box.replaceChildren();
  const read = filters.from_question || [];
  const names = { district: "区县", year: "年份", kind: "文件类型" };
  for (const key of read) {
    if (!(key in filters) || key === "kind") continue;
    const chip = el("span", "chip", `${names[key]}：${Array.isArray(filters[key]) ? filters[key].join("、") : filters[key]}（来自问题）`);
    const remove = el("button", "", "×");
    remove.type = "button";
    remove.title = "不按此条件筛选";
    remove.setAttribute("aria-label", `取消${names[key]}筛选`);
    remove.addEventListener("click", () => {
      state.off[key] = true;
      run();
    });
    chip.appendChild(remove);
    box.appendChild(chip);
  }
}

function request(question) {
  const body = { q: question };
  const district = $("district").value;
  const year = $("year").value;
  if (district) body.district = district;
  else if (state.off.district) body.district = "";
  if (year) body.year = Number(year);
  else if (state.off.year) body.year = 0;
  return body;
}

async function run() {
  const question = $("q").value.trim();
  if (!question) return;
  if (question !== state.query) state.off = { district: false, year: false };
  state.query = question;
  history.replaceState(null, "", `?q=${encodeURIComponent(question)}`);
  $("status").textContent = "检索中……";
  const body = request(question);
  try {
    const [answer, result] = await Promise.all([call("/api/ask", body), call("/api/search", { ...body, k: 10 })]);
    renderAnswer(answer);
    renderChips(result.filters);
    renderHits(result.hits, question);
    state.lastHits = result.hits;
    $("status").textContent = result.message || `共 ${result.hits.length} 条结果，用时 ${Math.round(result.took_ms)} 毫秒`;
  } catch (error) {
    $("answer").hidden = true;
    $("results").replaceChildren();
    $("status").textContent = error.message;
  }
}

async function loadFilters() {
  try {
    const data = await call("/api/documents");
    const districts = [...new Set(data.documents.map((d) => d.district).filter(Boolean))].sort();
    const years = [...new Set(data.documents.map((d) => d.year).filter(Boolean))].sort().reverse();
    for (const d of districts) $("district").appendChild(new Option(d, d));
    for (const y of years) $("year").appendChild(new Option(`${y}年`, String(y)));
  } catch (error) {
    $("status").textContent = error.message;
  }
}

function moveFocus(step) {
  const items = [...document.querySelectorAll(".hit")];
  if (!items.length) return;
  const at = items.indexOf(document.activeElement);
  const next = at < 0 ? (step > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, at + step));
  items[next].focus();
}

document.addEventListener("keydown", (event) => {
  const typing = event.target === $("q") || event.target.tagName === "INPUT" || event.target.tagName === "SELECT";
  if (event.key === "/" && !typing) {
    event.preventDefault();
    $("q").focus();
  } else if (event.key === "ArrowDown" && (!typing || event.target === $("q"))) {
    event.preventDefault();
    moveFocus(1);
  } else if (event.key === "ArrowUp" && !typing) {
    event.preventDefault();
    moveFocus(-1);
  } else if ((event.key === "c" || event.key === "C") && !typing && document.activeElement.classList.contains("hit")) {
    copyText(document.activeElement.dataset.citation, document.activeElement.querySelector(".copy"));
  }
});

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
for (const id of ["district", "year"]) $(id).addEventListener("change", run);
$("save-key").addEventListener("click", () => {
  localStorage.setItem(KEY_STORE, $("api-key").value);
  $("key-box").hidden = true;
  loadFilters();
  run();
});

(function start() {
  const params = new URLSearchParams(location.search);
  if (params.get("key")) {
    localStorage.setItem(KEY_STORE, params.get("key"));
    params.delete("key");
    history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
  }
  loadFilters();
  if (params.get("q")) {
    $("q").value = params.get("q");
    run();
  }
})();
