// The admin page: upload, replace and remove documents as jobs, watch the jobs, read feedback.
// Everything from the server is put on the page as text (textContent), never as HTML:
// file names, feedback and questions are typed by people and may contain markup.
"use strict";

const $ = (id) => document.getElementById(id);
const STATUS_NAMES = { queued: "排队中", running: "处理中", done: "完成", failed: "失败" };
const KIND_NAMES = { add: "上传", remove: "删除" };
const ACTION_NAMES = { upload: "上传", replace: "替换", remove: "删除", add: "加入索引", cancel: "取消任务" };
const ACTIVE = new Set(["queued", "running"]);
const JOB_LIMIT = 30;
const FAST_POLL = 1000; // while a job is queued or running
const SLOW_POLL = 5000; // otherwise: a job queued from another browser still shows up
const ACTIVITY_EVERY = 10000;

// What the page knows between polls.
const state = { jobs: new Map(), seen: new Map(), loaded: false, replacing: null, docs: [] };
let pollTimer = null;
let pollRun = 0;
let sayTimer = null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function link(href, text, className) {
  const a = el("a", className, text);
  a.href = href;
  return a;
}

function button(text, className) {
  const b = el("button", className, text);
  b.type = "button";
  return b;
}

// The status line at the top: errors stay until the next message, news fades after a while.
function say(message, isError = false) {
  const line = $("admin-status");
  clearTimeout(sayTimer);
  line.textContent = message || "";
  line.classList.toggle("error", Boolean(isError));
  if (message && !isError) sayTimer = setTimeout(() => (line.textContent = ""), 8000);
}

// Every admin call: the session cookie goes along by itself (same origin, HttpOnly), so no header.
// A 401 means the session is gone: /admin then shows the login page.
async function api(path, init = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...init });
  } catch {
    throw new Error("无法连接服务器，请检查网络后重试");
  }
  if (response.status === 401) {
    location.href = "/admin";
    throw new Error("登录已失效，正在转到登录页……");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((data.error && data.error.message) || `请求失败（${response.status}）`);
  return data;
}

function when(seconds) {
  if (seconds === null || seconds === undefined) return "";
  return new Date(seconds * 1000).toLocaleString("zh-CN", { hour12: false });
}

function days(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

// ---- 上传：拖放或选择文件；每个文件在服务器上成为一个任务
async function upload(files, replace = null) {
  files = [...files];
  if (!files.length) return;
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  const what = replace ? `替换文件“${files[0].name}”` : files.length === 1 ? `“${files[0].name}”` : `${files.length} 个文件`;
  say(`正在上传${what}……`);
  $("upload-button").disabled = true;
  try {
    const path = replace ? `/admin/documents?replace=${encodeURIComponent(replace)}` : "/admin/documents";
    const data = await api(path, { method: "POST", body: form });
    const jobs = data.jobs || [data];
    const refused = jobs.filter((j) => j.status === "failed");
    if (refused.length) say(refused.map((j) => j.message).join("；"), true);
    else say(`已上传${what}，正在处理；解析结果会显示在下方任务中，完成后才上线。`);
    for (const job of jobs) state.seen.set(job.id, job.status);
    renderJobs([...jobs, ...[...state.jobs.values()].filter((j) => !jobs.some((n) => n.id === j.id))]);
    pollJobs();
  } catch (error) {
    say(`上传失败：${error.message}`, true);
  } finally {
    $("upload-button").disabled = false;
  }
}

// The file input uploads as soon as files are chosen; it is then emptied, so choosing the same file again works.
$("file-input").addEventListener("change", () => {
  const files = [...$("file-input").files];
  $("file-input").value = "";
  upload(files);
});
// 上传: the files chosen but not yet sent (if any), else open the chooser.
$("upload-button").addEventListener("click", () => {
  const files = [...$("file-input").files];
  if (files.length) {
    $("file-input").value = "";
    upload(files);
  } else {
    $("file-input").click();
  }
});

const drop = $("drop");
for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
}
for (const type of ["dragleave", "dragend"]) {
  drop.addEventListener(type, (event) => {
    if (!drop.contains(event.relatedTarget)) drop.classList.remove("over");
  });
}
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  if (event.dataTransfer && event.dataTransfer.files.length) upload(event.dataTransfer.files);
});
// A file dropped beside the zone must not make the browser open it and leave the page.
for (const type of ["dragover", "drop"]) {
  document.addEventListener(type, (event) => {
    if (!drop.contains(event.target)) event.preventDefault();
  });
}

// ---- 处理任务
function jobRow(id) {
  const row = el("li", "job");
  row.dataset.jobId = id;
  const head = el("div", "job-head");
  head.append(el("span", "job-kind"), el("span", "job-name"), el("span", "job-status"), el("span", "job-when"));
  const bar = el("div", "job-bar");
  const progress = el("progress", "job-progress");
  progress.max = 1;
  const cancel = button("取消", "cancel");
  cancel.addEventListener("click", () => cancelJob(id, cancel));
  bar.append(progress, el("span", "job-percent"), el("span", "job-eta"), cancel);
  const understood = el("div", "job-understood");
  understood.append(el("span", "label", "解析结果："), el("span", "value"));
  row.append(head, bar, el("div", "job-message"), understood);
  return row;
}

// Fills a job's row in place, so a poll neither flickers nor takes the focus off its 取消 button.
function fillJob(row, job) {
  const part = (name) => row.querySelector("." + name);
  row.dataset.status = job.status;
  part("job-kind").textContent = KIND_NAMES[job.kind] || job.kind;
  part("job-name").textContent = job.name || job.doc_ids.join("、") || job.id;
  part("job-status").textContent = STATUS_NAMES[job.status] || job.status;
  part("job-when").textContent = [when(job.created), job.who ? `由 ${job.who} 提交` : ""].filter(Boolean).join(" · ");
  const progress = part("job-progress");
  progress.value = Math.max(0, Math.min(1, job.progress || 0));
  progress.setAttribute("aria-label", `${job.name || job.id} 的进度`);
  part("job-percent").textContent = `${Math.round((job.progress || 0) * 100)}%`;
  const eta = part("job-eta");
  eta.textContent = job.eta_s !== null && job.eta_s !== undefined && ACTIVE.has(job.status) ? `约 ${Math.max(1, Math.ceil(job.eta_s))} 秒` : "";
  eta.hidden = !eta.textContent;
  part("job-message").textContent = job.message || "";
  const understood = part("job-understood");
  understood.querySelector(".value").textContent = job.understood || "";
  understood.hidden = !job.understood;
  part("cancel").hidden = !ACTIVE.has(job.status);
}

// Shows the jobs (newest first); says whether any is still waiting or running.
function renderJobs(jobs) {
  const list = $("job-list");
  const rows = new Map([...list.querySelectorAll(".job")].map((row) => [row.dataset.jobId, row]));
  let documentsChanged = false;
  state.jobs = new Map(jobs.map((j) => [j.id, j]));
  const ordered = jobs.map((job) => {
    const row = rows.get(job.id) || jobRow(job.id);
    fillJob(row, job);
    // A job that finished since the last look has changed the index: show the documents anew.
    if (state.loaded && job.status === "done" && state.seen.get(job.id) !== "done") documentsChanged = true;
    state.seen.set(job.id, job.status);
    return row;
  });
  const current = [...list.children];
  if (current.length !== ordered.length || current.some((row, i) => row !== ordered[i])) list.replaceChildren(...ordered);
  $("jobs-empty").hidden = jobs.length > 0;
  const active = jobs.filter((j) => ACTIVE.has(j.status)).length;
  $("jobs-info").textContent = active ? `${active} 个任务进行中` : "";
  markBusyDocuments();
  if (documentsChanged) {
    loadDocuments();
    loadActivity(); // the audit log has the job's outcome
    setTimeout(loadDocuments, 3000); // other worker processes pick the new index up a moment later
  }
  return active > 0;
}

// Polls every second while a job is queued or running, else every few seconds; a newer call takes over.
async function pollJobs() {
  clearTimeout(pollTimer);
  const run = ++pollRun;
  let active = false;
  try {
    const data = await api(`/admin/jobs?limit=${JOB_LIMIT}`);
    if (run !== pollRun) return;
    active = renderJobs(data.jobs);
    state.loaded = true;
  } catch (error) {
    if (run !== pollRun) return;
    say(error.message, true);
  }
  pollTimer = setTimeout(pollJobs, active ? FAST_POLL : SLOW_POLL);
}

async function cancelJob(id, cancel) {
  cancel.disabled = true;
  try {
    const job = await api(`/admin/jobs/${encodeURIComponent(id)}/cancel`, { method: "POST" });
    say(job.status === "running" ? "已请求取消，任务将在当前步骤结束后停止（索引不变）" : "任务已取消（索引不变）");
    pollJobs();
  } catch (error) {
    say(error.message, true);
  } finally {
    cancel.disabled = false;
  }
}

// ---- 已收录的文件
async function loadDocuments() {
  try {
    const data = await api("/admin/documents");
    renderDocuments(data);
  } catch (error) {
    say(error.message, true);
  }
}

function cell(label, content, className) {
  const td = el("td", className);
  td.dataset.label = label; // shown before the value when the table is stacked on a phone
  if (content instanceof Node) td.appendChild(content);
  else td.textContent = content;
  return td;
}

function renderDocuments(data) {
  state.docs = data.documents;
  const body = $("doc-list").querySelector("tbody");
  body.replaceChildren();
  for (const doc of data.documents) {
    const row = el("tr", "doc");
    row.dataset.docId = doc.doc_id;
    const title = el("div");
    title.append(el("div", "doc-title", doc.title || doc.doc_id), el("div", "doc-id", doc.doc_id), el("div", "doc-busy", "有任务进行中"));
    const understood = el("div");
    understood.appendChild(el("div", "understood", doc.understood_text || ""));
    if (doc.notes && doc.notes.length) {
      const notes = el("ul", "notes");
      for (const note of doc.notes) notes.appendChild(el("li", "", note));
      understood.appendChild(notes);
    }
    const actions = el("div", "actions");
    const open = link(`/documents/${encodeURIComponent(doc.doc_id)}`, "打开", "open");
    open.target = "_blank";
    open.rel = "noopener";
    const replace = button("替换", "replace");
    replace.addEventListener("click", () => chooseReplacement(doc));
    const remove = button("删除", "remove");
    remove.addEventListener("click", () => removeDocument(doc, remove));
    actions.append(open, replace, remove);
    row.append(
      cell("文件", title, "title"),
      cell("区县", doc.district || "—"),
      cell("年份", doc.year ? String(doc.year) : "—"),
      cell("类型", doc.kind_name || doc.kind || "—"),
      cell("段落", String(doc.passages), "num"),
      cell("解析结果", understood, "understood-cell"),
      cell("操作", actions, "actions-cell"),
    );
    body.appendChild(row);
  }
  $("documents-empty").hidden = data.documents.length > 0;
  const parts = [`共 ${data.documents.length} 个文件、${data.passages} 段`];
  if (data.created) parts.push(`索引生成于 ${new Date(data.created).toLocaleString("zh-CN", { hour12: false })}`);
  if (data.build_id) parts.push(`版本 ${data.build_id}`);
  $("index-info").textContent = parts.join(" · ");
  markBusyDocuments();
}

// A document a waiting or running job is about to change is marked, so nobody changes it twice.
function markBusyDocuments() {
  const busy = new Set();
  for (const job of state.jobs.values()) if (ACTIVE.has(job.status)) for (const id of job.doc_ids || []) busy.add(id);
  for (const row of $("doc-list").querySelectorAll("tr.doc")) row.classList.toggle("busy", busy.has(row.dataset.docId));
}

function chooseReplacement(doc) {
  state.replacing = doc;
  const input = $("replace-input");
  input.value = "";
  input.click();
}

$("replace-input").addEventListener("change", () => {
  const files = [...$("replace-input").files];
  const doc = state.replacing;
  $("replace-input").value = "";
  state.replacing = null;
  if (!doc || !files.length) return;
  upload(files.slice(0, 1), doc.doc_id); // a replacement is exactly one file, keeping the document's id
});

async function removeDocument(doc, remove) {
  if (!confirm(`确定从索引删除“${doc.title || doc.doc_id}”吗？删除后检索不到这份文件，需要时可重新上传。`)) return;
  remove.disabled = true;
  try {
    const job = await api(`/admin/documents/${encodeURIComponent(doc.doc_id)}`, { method: "DELETE" });
    state.seen.set(job.id, job.status);
    say(`已排队删除“${doc.title || doc.doc_id}”`);
    pollJobs();
  } catch (error) {
    say(error.message, true);
  } finally {
    remove.disabled = false;
  }
}

// ---- 使用情况：反馈、未找到答案的问题、最常问的问题、操作记录
function fillList(list, items, make) {
  list.replaceChildren(...items.map(make));
  if (!items.length) list.appendChild(el("li", "empty", "暂无"));
}

function line(label, value, className) {
  const div = el("div", className);
  div.append(el("span", "label", label), el("span", "value", value));
  return div;
}

function askLink(query) {
  return link(`/?q=${encodeURIComponent(query)}`, query, "question");
}

// A passage id (what the page's feedback sends) opens that passage in its document; other text stays text.
function passage(value) {
  const doc = state.docs.find((d) => value.startsWith(`${d.doc_id}-`));
  return doc ? link(`/documents/${encodeURIComponent(doc.doc_id)}#${encodeURIComponent(value)}`, value) : document.createTextNode(value);
}

function passageLine(label, value, className) {
  const div = el("div", className);
  div.append(el("span", "label", label), passage(value));
  return div;
}

function feedbackItem(fb) {
  const item = el("li", fb.helpful ? "fb helpful" : "fb wrong");
  const head = el("div", "item-head");
  head.append(el("span", "badge", fb.helpful ? "有用" : "有误"), askLink(fb.query || ""), el("span", "when", when(fb.at)));
  item.appendChild(head);
  if (fb.citation_id) item.appendChild(passageLine("所评段落：", fb.citation_id, "detail"));
  if (fb.correct_citation) item.appendChild(passageLine("正确出处：", fb.correct_citation, "detail correct"));
  if (fb.comment) item.appendChild(line("说明：", fb.comment, "detail comment"));
  const filters = Object.entries(fb.filters || {}).filter(([, v]) => v !== null && v !== "");
  if (filters.length) item.appendChild(line("筛选：", filters.map(([, v]) => String(v)).join(" · "), "detail"));
  return item;
}

function queryItem(entry) {
  const item = el("li", "query-item");
  const head = el("div", "item-head");
  head.append(askLink(entry.query), el("span", "count", `${entry.count} 次`), el("span", "when", `最近 ${when(entry.last)}`));
  item.appendChild(head);
  return item;
}

function auditItem(entry) {
  const item = el("li", "audit-item");
  const head = el("div", "item-head");
  head.append(el("span", "badge", ACTION_NAMES[entry.action] || entry.action), el("span", "target", entry.target), el("span", "when", when(entry.at)));
  item.append(head, line("", `${entry.who} · ${entry.result}`, "detail"));
  return item;
}

async function loadActivity() {
  try {
    const data = await api("/admin/activity?limit=50");
    fillList($("feedback-list"), data.feedback || [], feedbackItem);
    fillList($("declined-list"), data.declined || [], queryItem);
    fillList($("top-list"), data.top || [], queryItem);
    fillList($("audit-list"), data.audit || [], auditItem);
    const keep = Number(data.query_log_days) || 0;
    $("retention").textContent = keep > 0 ? `查询记录保留 ${days(keep)} 天` : "未开启查询记录";
  } catch (error) {
    say(error.message, true);
  }
}

$("activity-refresh").addEventListener("click", loadActivity);
$("admin-status").addEventListener("click", () => say(""));
setInterval(loadActivity, ACTIVITY_EVERY);

// The documents first: the activity links the passages it names into them.
pollJobs();
loadDocuments().then(loadActivity);
