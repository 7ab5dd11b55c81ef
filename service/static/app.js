// The search page. Everything from the index is put on the page as text (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY_STORE = "govqa-api-key";
const STOP = ["多少", "哪些", "哪个", "哪位", "什么", "今年", "要求", "负责", "牵头", "分管", "领导", "目标", "怎么", "如何", "是否", "请问"];
const state = { query: "", off: { district: false, year: false }, lastHits: [], filters: {}, docs: null, history: [] };
const MAX_HISTORY = 10;
const PAGE_SIZE = 100;
const TASK_FILTERS = ["department", "lead_department", "leader", "area", "district", "year", "doc_id", "section", "q"];
const FILTER_NAMES = { department: "责任单位", lead_department: "牵头单位", leader: "分管领导", area: "板块", district: "区县", year: "年份", doc_id: "文件", section: "分组", q: "内容" };

function apiKey() {
  return localStorage.getItem(KEY_STORE) || "";
}

function authHeaders() {
  const headers = { "Content-Type": "application/json" };
  if (apiKey()) headers["X-API-Key"] = apiKey();
  return headers;
}

async function call(path, body) {
  const headers = authHeaders();
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

function link(href, text, className) {
  const a = el("a", className, text);
  a.href = href;
  return a;
}

// Where a citation opens: the passage in its document, highlighted there.
function sourceHref(hit) {
  return `/documents/${encodeURIComponent(hit.doc_id)}#${encodeURIComponent(hit.id)}`;
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
    const cite = el("div", "cite", `${n + 1}. `);
    cite.appendChild(link(sourceHref(hit), hit.citation));
    item.appendChild(cite);
    if (hit.section.length) item.appendChild(el("div", "section", hit.section.join(" › ")));
    const text = el("div", "text");
    text.appendChild(highlighted(hit.text, question));
    item.appendChild(text);
    item.appendChild(owners(hit));
    item.appendChild(feedbackBar({ citation_id: hit.id }, "这条结果："));
    list.appendChild(item);
  });
}

function renderAnswer(answer) {
  const card = $("answer");
  card.replaceChildren();
  card.hidden = false;
  card.classList.toggle("declined", !answer.found);
  card.appendChild(el("div", "label", answer.found ? "答案（摘自所引文件）" : "未找到直接答案"));
  card.appendChild(document.createTextNode(answer.answer.replace(/\n完整清单（可导出、打印）：任务台账 \S+$/, "")));
  if (answer.ledger_url) card.appendChild(link(answer.ledger_url, "在任务台账中查看这份清单（可导出 Excel、打印）→", "ledger-link"));
  if (answer.found && answer.citations && answer.citations.length && answer.citations.length <= 10) {
    const sources = el("ol", "sources");
    for (const hit of answer.citations) {
      const item = el("li");
      item.appendChild(link(sourceHref(hit), `查看原文：${hit.citation}`));
      sources.appendChild(item);
    }
    card.appendChild(sources);
  }
  const cited = (answer.citations || []).map((hit) => hit.id).slice(0, 50);
  card.appendChild(feedbackBar({ citation_id: cited[0], citations: cited }, "这个答案："));
}

// ---- 有用 / 有误: what staff say about an answer or a result, with the right source when they know it.
// The context (question, filters, results) is taken when the card is drawn, so a later search cannot mix in.
function feedbackContext() {
  const applied = state.filters || {};
  // Several districts (a comparison) are kept as one string: the server takes strings and numbers only.
  const district = Array.isArray(applied.district) ? applied.district.join("、") : applied.district;
  return { query: state.query, filters: { district: district || null, year: applied.year || null }, hits: state.lastHits };
}

function feedbackBar(target, label) {
  const context = feedbackContext();
  const bar = el("div", "feedback");
  const yes = el("button", "fb-yes", "有用");
  const no = el("button", "fb-no", "有误");
  const status = el("span", "fb-status");
  status.setAttribute("role", "status");
  for (const b of [yes, no]) b.type = "button";
  no.setAttribute("aria-expanded", "false");
  bar.append(el("span", "fb-label", label), yes, no, status);
  const send = async (extra, sender) => {
    const body = { query: context.query, helpful: extra.helpful, filters: context.filters };
    if (target.citation_id) body.citation_id = target.citation_id;
    if (target.citations) body.citations = target.citations;
    if (extra.correct_citation) body.correct_citation = extra.correct_citation;
    if (extra.comment) body.comment = extra.comment;
    sender.disabled = true;
    status.textContent = "提交中……";
    try {
      await call("/api/feedback", body);
      bar.replaceChildren(el("span", "fb-done", "已记录，谢谢"));
    } catch (error) {
      status.textContent = error.message;
      sender.disabled = false;
    }
  };
  yes.addEventListener("click", () => send({ helpful: true }, yes));
  no.addEventListener("click", () => {
    // The form is made on first use: most cards never need it.
    let form = bar.querySelector(".fb-form");
    if (!form) {
      form = feedbackForm(context, (extra, sender) => send({ helpful: false, ...extra }, sender));
      bar.appendChild(form);
    } else {
      form.hidden = !form.hidden;
    }
    no.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) form.querySelector(".fb-correct").focus();
  });
  return bar;
}

const OTHER = "other"; // the 其他（手动填写） option; passage ids are never this word

function feedbackForm(context, submit) {
  const form = el("form", "fb-form");
  form.noValidate = true;
  const correct = el("select", "fb-correct");
  correct.setAttribute("aria-label", "正确的出处");
  correct.appendChild(new Option("正确的出处是…", ""));
  for (const hit of context.hits) correct.appendChild(new Option(hit.citation, hit.id));
  correct.appendChild(new Option("其他（手动填写）", OTHER));
  const typed = el("input", "fb-typed");
  typed.type = "text";
  typed.maxLength = 300;
  typed.placeholder = "如：吴中区2023年主要工作任务分解方案 第(35)项";
  typed.setAttribute("aria-label", "正确的出处（手动填写）");
  typed.hidden = true;
  correct.addEventListener("change", () => {
    typed.hidden = correct.value !== OTHER;
    if (!typed.hidden) typed.focus();
  });
  const comment = el("textarea", "fb-comment");
  comment.maxLength = 1000;
  comment.rows = 2;
  comment.placeholder = "哪里不对？（选填）";
  comment.setAttribute("aria-label", "说明");
  const sendButton = el("button", "fb-send", "提交");
  sendButton.type = "submit";
  form.append(correct, typed, comment, sendButton);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = correct.value === OTHER ? typed.value.trim() : correct.value;
    submit({ correct_citation: chosen || undefined, comment: comment.value.trim() || undefined }, sendButton);
  });
  return form;
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
      runSearch();
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

// ---- The URL holds the whole view: ?q=…&district=…&year=… or ?view=tasks&leader=…&page=2
function params() {
  return new URLSearchParams(location.search);
}

function navigate(next) {
  const query = next.toString();
  if (location.search !== (query ? `?${query}` : "")) history.pushState(null, "", query ? `?${query}` : location.pathname);
  render();
}

function searchParams(question) {
  const next = new URLSearchParams();
  if (question) next.set("q", question);
  if ($("district").value) next.set("district", $("district").value);
  if ($("year").value) next.set("year", $("year").value);
  return next;
}

async function runSearch() {
  const question = $("q").value.trim();
  if (!question) return;
  if (question !== state.query) state.off = { district: false, year: false };
  state.query = question;
  $("landing").hidden = true;
  $("status").textContent = "检索中……";
  const body = request(question);
  const last = state.history.length - 1;
  const earlier = (state.history[last] === question ? state.history.slice(0, last) : state.history).slice(-MAX_HISTORY);
  try {
    let answer, result;
    if (earlier.length) {
      // A follow-up is completed by the answer service; the results then show what it was read as.
      answer = await call("/api/ask", { ...body, history: earlier });
      result = await call("/api/search", { ...body, q: answer.resolved || question, k: 10 });
    } else {
      [answer, result] = await Promise.all([call("/api/ask", body), call("/api/search", { ...body, k: 10 })]);
    }
    if (state.history[state.history.length - 1] !== question) state.history.push(question);
    state.history = state.history.slice(-MAX_HISTORY);
    sessionStorage.setItem("govqa-history", JSON.stringify(state.history));
    renderConversation(question);
    state.lastHits = result.hits;
    state.filters = result.filters; // as applied: the page's choices and what the question said
    renderAnswer(answer);
    renderChips(result.filters);
    renderHits(result.hits, question);
    $("status").textContent = result.message || `共 ${result.hits.length} 条结果，用时 ${Math.round(result.took_ms)} 毫秒`;
  } catch (error) {
    $("answer").hidden = true;
    $("results").replaceChildren();
    $("status").textContent = error.message;
  }
}

// The earlier questions of this conversation (not the one just asked), and 新对话 to start afresh.
function renderConversation(current) {
  const earlier = state.history.filter((q, i) => !(i === state.history.length - 1 && q === current));
  $("conversation").hidden = !earlier.length;
  $("turns").replaceChildren(...earlier.map((q) => el("li", "", q)));
}

async function loadDocuments() {
  if (state.docs) return state.docs;
  state.docs = await call("/api/documents");
  for (const id of ["district", "year"]) while ($(id).options.length > 1) $(id).remove(1);
  const districts = [...new Set(state.docs.documents.map((d) => d.district).filter(Boolean))].sort();
  const years = [...new Set(state.docs.documents.map((d) => d.year).filter(Boolean))].sort().reverse();
  for (const d of districts) $("district").appendChild(new Option(d, d));
  for (const y of years) $("year").appendChild(new Option(`${y}年`, String(y)));
  return state.docs;
}

// The landing page: what is indexed, and questions its index can answer.
function renderLanding(data) {
  const examples = $("examples");
  examples.replaceChildren();
  for (const example of data.examples || []) {
    const item = el("li");
    item.appendChild(link(example.href, example.text));
    examples.appendChild(item);
  }
  const body = $("doc-table").querySelector("tbody");
  body.replaceChildren();
  for (const doc of data.documents) {
    const row = el("tr");
    const title = el("td");
    title.appendChild(link(`/documents/${encodeURIComponent(doc.doc_id)}`, doc.title));
    const u = doc.understood || {};
    const rows = (u.tasks || 0) + (u.targets || 0);
    const tasks = el("td");
    if (rows) tasks.appendChild(link(`/?view=tasks&doc_id=${encodeURIComponent(doc.doc_id)}`, `任务 ${u.tasks || 0} · 目标 ${u.targets || 0}`));
    else tasks.textContent = "—";
    row.append(title, el("td", "", doc.district || "—"), el("td", "", doc.year ? String(doc.year) : "—"), el("td", "", doc.kind_name || doc.kind), tasks);
    body.appendChild(row);
  }
  $("landing").hidden = false;
}

// ---- 任务台账
function taskQuery(p) {
  const query = new URLSearchParams();
  for (const key of TASK_FILTERS) if (p.get(key)) query.set(key, p.get(key));
  return query;
}

function toggleFilter(key, value) {
  const next = params();
  next.set("view", "tasks");
  if (next.get(key) === value) next.delete(key);
  else next.set(key, value);
  next.delete("page");
  navigate(next);
}

function renderActive(p, data) {
  const box = $("active");
  box.replaceChildren();
  for (const key of TASK_FILTERS) {
    if (!p.get(key)) continue;
    let shown = data.filters[key] !== undefined ? String(data.filters[key]) : p.get(key);
    if (key === "doc_id") {
      const doc = (data.facets.documents || []).find((d) => d.value === p.get(key));
      if (doc) shown = doc.label;
    }
    const chip = el("span", "chip", `${FILTER_NAMES[key]}：${shown}`);
    const remove = el("button", "", "×");
    remove.type = "button";
    remove.setAttribute("aria-label", `取消${FILTER_NAMES[key]}筛选`);
    remove.addEventListener("click", () => toggleFilter(key, p.get(key)));
    chip.appendChild(remove);
    box.appendChild(chip);
  }
}

function renderFacets(p, facets) {
  const box = $("facets");
  box.replaceChildren();
  const groups = [
    ["lead_departments", "lead_department", "★牵头单位"],
    ["departments", "department", "责任单位（含配合）"],
    ["leaders", "leader", "分管领导"],
    ["areas", "area", "板块"],
    ["documents", "doc_id", "文件"],
  ];
  for (const [facet, key, title] of groups) {
    const values = facets[facet] || [];
    if (!values.length) continue;
    const block = el("section", "facet");
    block.dataset.facet = facet;
    block.appendChild(el("h3", "", title));
    const list = el("ul");
    for (const entry of values) {
      const item = el("li");
      const button = el("button");
      button.type = "button";
      button.dataset.value = entry.value;
      button.setAttribute("aria-pressed", String(p.get(key) === entry.value));
      button.append(el("span", "name", entry.label || entry.value), el("span", "count", String(entry.count)));
      button.addEventListener("click", () => toggleFilter(key, entry.value));
      item.appendChild(button);
      list.appendChild(item);
    }
    block.appendChild(list);
    box.appendChild(block);
  }
}

function renderTasks(tasks) {
  const body = $("task-table").querySelector("tbody");
  body.replaceChildren();
  const anyDeadline = tasks.some((t) => t.deadline);
  for (const cell of document.querySelectorAll("#task-table .deadline")) cell.hidden = !anyDeadline;
  for (const task of tasks) {
    const row = el("tr");
    row.dataset.id = task.id;
    const no = el("td", "no");
    no.appendChild(link(sourceHref(task), task.task_no || "原文"));
    const others = task.departments.filter((d) => !task.lead_departments.includes(d));
    const file = el("td", "", `${task.district}${task.year ? " " + task.year : ""}`);
    file.title = task.title;
    row.append(
      file,
      no,
      el("td", "", task.section.slice(-1).join("")),
      el("td", "text", task.text),
      el("td", "", task.lead_departments.join("、")),
      el("td", "", others.join("、")),
      el("td", "", task.areas.join("、")),
      el("td", "", task.leaders.join("、")),
    );
    const deadline = el("td", "deadline", task.deadline || "");
    deadline.hidden = !anyDeadline;
    row.appendChild(deadline);
    body.appendChild(row);
  }
}

async function runTasks() {
  const p = params();
  const page = Math.max(1, Number(p.get("page")) || 1);
  const query = taskQuery(p);
  $("task-q").value = p.get("q") || "";
  $("district").value = p.get("district") || "";
  $("year").value = p.get("year") || "";
  $("task-total").textContent = "查询中……";
  try {
    const data = await call(`/api/tasks?${query}&page=${page}&size=${PAGE_SIZE}`);
    renderActive(p, data);
    renderFacets(p, data.facets);
    renderTasks(data.tasks);
    const first = data.total ? (page - 1) * PAGE_SIZE + 1 : 0;
    const last = Math.min(data.total, page * PAGE_SIZE);
    $("task-total").textContent = data.message ? data.message : `共 ${data.total} 项任务`;
    $("page-info").textContent = data.total ? `第 ${first}–${last} 项，共 ${data.total} 项` : "";
    $("prev").disabled = page <= 1;
    $("next").disabled = last >= data.total;
    $("export-csv").href = `/api/tasks.csv?${query}`;
    $("export-xlsx").href = `/api/tasks.xlsx?${query}`;
    const described = [...$("active").querySelectorAll(".chip")].map((c) => c.firstChild.textContent).join("，");
    $("print-title").textContent = `任务台账${described ? "（" + described + "）" : ""} · 共 ${data.total} 项 · 打印于 ${new Date().toLocaleDateString("zh-CN")}`;
  } catch (error) {
    $("task-total").textContent = error.message;
    $("task-table").querySelector("tbody").replaceChildren();
    $("facets").replaceChildren();
  }
}

// An export with an API key cannot be a plain link: fetch it with the key, then save the file.
async function download(event) {
  if (!apiKey()) return;
  event.preventDefault();
  const anchor = event.currentTarget;
  const response = await fetch(anchor.href, { headers: authHeaders() });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    $("task-total").textContent = (data.error && data.error.message) || `导出失败（${response.status}）`;
    return;
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename\*=UTF-8''([^;]+)/.exec(disposition);
  const save = el("a");
  save.href = URL.createObjectURL(await response.blob());
  save.download = match ? decodeURIComponent(match[1]) : "tasks";
  document.body.appendChild(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(save.href), 10000);
}

// ---- One render for every URL (first load, a link, back and forward).
async function render() {
  const p = params();
  const view = p.get("view") === "tasks" ? "tasks" : "search";
  $("search-view").hidden = view !== "search";
  $("tasks-view").hidden = view !== "tasks";
  $("chips").hidden = view !== "search";
  document.body.classList.toggle("wide", view === "tasks");
  $("tab-search").setAttribute("aria-current", view === "search" ? "page" : "false");
  $("tab-tasks").setAttribute("aria-current", view === "tasks" ? "page" : "false");
  let docs = null;
  try {
    docs = await loadDocuments();
  } catch (error) {
    $("status").textContent = error.message;
  }
  if (view === "tasks") {
    document.title = "任务台账 · 政府工作报告检索";
    return runTasks();
  }
  document.title = "政府工作报告检索";
  $("district").value = p.get("district") || "";
  $("year").value = p.get("year") || "";
  const question = p.get("q") || "";
  $("q").value = question;
  if (question) return runSearch();
  state.query = "";
  $("answer").hidden = true;
  $("results").replaceChildren();
  $("status").textContent = "";
  if (docs) renderLanding(docs);
}

function moveFocus(step) {
  const items = [...document.querySelectorAll(".hit")];
  if (!items.length) return;
  const at = items.indexOf(document.activeElement);
  const next = at < 0 ? (step > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, at + step));
  items[next].focus();
}

document.addEventListener("keydown", (event) => {
  const typing = event.target === $("q") || ["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName);
  if (event.key === "/" && !typing) {
    event.preventDefault();
    (params().get("view") === "tasks" ? $("task-q") : $("q")).focus();
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

$("new-conversation").addEventListener("click", () => {
  state.history = [];
  sessionStorage.removeItem("govqa-history");
  renderConversation("");
  $("q").focus();
});
$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const question = $("q").value.trim();
  if (question) navigate(searchParams(question));
});
$("task-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const next = params();
  next.set("view", "tasks");
  const words = $("task-q").value.trim();
  if (words) next.set("q", words);
  else next.delete("q");
  next.delete("page");
  navigate(next);
});
for (const id of ["district", "year"]) {
  $(id).addEventListener("change", () => {
    if (params().get("view") === "tasks") {
      const next = params();
      if ($(id).value) next.set(id, $(id).value);
      else next.delete(id);
      next.delete("page");
      navigate(next);
    } else if ($("q").value.trim()) {
      navigate(searchParams($("q").value.trim()));
    }
  });
}
for (const [id, step] of [["prev", -1], ["next", 1]]) {
  $(id).addEventListener("click", () => {
    const next = params();
    next.set("page", String(Math.max(1, (Number(next.get("page")) || 1) + step)));
    navigate(next);
  });
}
for (const id of ["export-csv", "export-xlsx"]) $(id).addEventListener("click", download);
$("print").addEventListener("click", () => window.print());
for (const tab of document.querySelectorAll(".tabs a")) {
  tab.addEventListener("click", (event) => {
    event.preventDefault();
    navigate(new URLSearchParams(tab.dataset.view === "tasks" ? "view=tasks" : ""));
  });
}
$("save-key").addEventListener("click", () => {
  localStorage.setItem(KEY_STORE, $("api-key").value);
  $("key-box").hidden = true;
  state.docs = null;
  render();
});
window.addEventListener("popstate", render);

(function start() {
  const p = params();
  try {
    state.history = JSON.parse(sessionStorage.getItem("govqa-history") || "[]").filter((q) => typeof q === "string").slice(-MAX_HISTORY);
  } catch {
    state.history = [];
  }
  if (p.get("key")) {
    localStorage.setItem(KEY_STORE, p.get("key"));
    p.delete("key");
    history.replaceState(null, "", p.toString() ? `?${p}` : location.pathname);
  }
  render();
})();
