// <govqa-search>: a search box for any intranet page, isolated in shadow DOM.
// <script src="http://HOST:8000/widget.js" defer></script>
// <govqa-search k="5" district="吴中区" year="2023" api-key="…" placeholder="…"></govqa-search>
// The service must list the host page's origin in GOVQA_CORS_ORIGINS.
(function () {
  "use strict";
  const script = document.currentScript;
  const DEFAULT_ENDPOINT = script && script.src ? new URL(script.src).origin : "";

  const STYLE = `
    :host { all: initial; display: block; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
            color: #1f2933; font-size: 14px; line-height: 1.5; max-width: 640px; }
    * { box-sizing: border-box; }
    .box { border: 1px solid #d9e2ec; border-radius: 8px; background: #fff; padding: 8px; }
    input { width: 100%; font: inherit; font-size: 15px; padding: 8px 10px; border: 2px solid #d9e2ec; border-radius: 6px; }
    input:focus { outline: none; border-color: #b3261e; }
    ul { list-style: none; margin: 6px 0 0; padding: 0; }
    li { padding: 6px 4px; border-top: 1px solid #eef2f6; }
    a { color: inherit; text-decoration: none; display: block; }
    a:hover .cite, a:focus .cite { text-decoration: underline; }
    .cite { font-weight: 600; color: #b3261e; }
    .text { color: #3e4c59; }
    .owner { color: #616e7c; font-size: 12px; }
    .status { color: #616e7c; font-size: 12px; padding: 4px 2px 0; }
    .more { font-size: 12px; padding-top: 6px; }
    .more a { display: inline; color: #b3261e; }
    .note { font-size: 12px; color: #616e7c; padding: 0 2px 4px; }
  `;

  class GovqaSearch extends HTMLElement {
    static get observedAttributes() {
      return ["district", "year", "k"];
    }

    constructor() {
      super();
      const root = this.attachShadow({ mode: "open" });
      const style = document.createElement("style");
      style.textContent = STYLE;
      this.box = document.createElement("div");
      this.box.className = "box";
      this.input = document.createElement("input");
      this.input.type = "search";
      this.input.maxLength = 500;
      this.input.setAttribute("aria-label", "检索政府工作报告");
      this.list = document.createElement("ul");
      this.status = document.createElement("div");
      this.status.className = "status";
      this.status.setAttribute("role", "status");
      this.more = document.createElement("div");
      this.more.className = "more";
      this.note = document.createElement("div");
      this.note.className = "note";
      this.box.append(this.note, this.input, this.status, this.list, this.more);
      root.append(style, this.box);
      this.timer = null;
      this.controller = null;
      this.input.addEventListener("input", () => this.schedule());
      this.input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") this.search();
      });
    }

    connectedCallback() {
      this.input.placeholder = this.getAttribute("placeholder") || "输入问题，如：碧螺春茶文化节谁牵头";
      this.showNote();
    }

    attributeChangedCallback() {
      this.showNote();
      if (this.input.value.trim()) this.schedule();
    }

    // The preset filters, kept in sight: a user should know the box searches only part of the index.
    presets() {
      const out = {};
      for (const name of ["district", "year"]) {
        const value = (this.getAttribute(name) || "").trim();
        if (value) out[name] = value;
      }
      return out;
    }

    showNote() {
      const p = this.presets();
      const words = [p.district, p.year ? `${p.year}年` : ""].filter(Boolean);
      this.note.textContent = words.length ? `仅限 ${words.join(" ")}` : "";
      this.note.hidden = !words.length;
    }

    pageLink(q) {
      const params = new URLSearchParams({ q, ...this.presets() });
      return `${this.endpoint}/?${params}`;
    }

    get endpoint() {
      return (this.getAttribute("endpoint") || DEFAULT_ENDPOINT).replace(/\/$/, "");
    }

    schedule() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), 300);
    }

    async search() {
      const q = this.input.value.trim();
      if (!q) {
        this.list.replaceChildren();
        this.status.textContent = "";
        this.more.replaceChildren();
        return;
      }
      if (this.controller) this.controller.abort();
      this.controller = new AbortController();
      const params = new URLSearchParams({ q, k: this.getAttribute("k") || "5", ...this.presets() });
      const headers = {};
      if (this.getAttribute("api-key")) headers["X-API-Key"] = this.getAttribute("api-key");
      this.status.textContent = "检索中……";
      try {
        const response = await fetch(`${this.endpoint}/api/search?${params}`, { headers, signal: this.controller.signal });
        const data = await response.json();
        if (!response.ok) throw new Error((data.error && data.error.message) || `请求失败（${response.status}）`);
        this.render(q, data);
      } catch (error) {
        if (error.name === "AbortError") return;
        this.list.replaceChildren();
        this.status.textContent = error.message || "检索服务暂不可用";
      }
    }

    render(q, data) {
      this.list.replaceChildren();
      const page = this.pageLink(q);
      for (const hit of data.hits) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        // A citation opens its passage in the source document, highlighted there.
        link.href = `${this.endpoint}/documents/${encodeURIComponent(hit.doc_id)}#${encodeURIComponent(hit.id)}`;
        link.target = "_blank";
        link.rel = "noopener";
        const cite = document.createElement("div");
        cite.className = "cite";
        cite.textContent = hit.citation;
        const text = document.createElement("div");
        text.className = "text";
        text.textContent = hit.text.length > 90 ? hit.text.slice(0, 90) + "……" : hit.text;
        link.append(cite, text);
        const lead = hit.lead_departments;
        const owned = lead.length ? `★牵头：${lead.join("、")}` : hit.departments.length ? `责任：${hit.departments.join("、")}` : "";
        if (owned || hit.leaders.length || hit.deadline) {
          const owner = document.createElement("div");
          owner.className = "owner";
          owner.textContent = [owned, hit.leaders.length ? `分管：${hit.leaders.join("、")}` : "", hit.deadline ? `时限：${hit.deadline}` : ""]
            .filter(Boolean)
            .join("　");
          link.append(owner);
        }
        item.append(link);
        this.list.append(item);
      }
      this.status.textContent = data.message || (data.hits.length ? "" : "没有找到相关内容");
      const more = document.createElement("a");
      more.href = page;
      more.target = "_blank";
      more.rel = "noopener";
      more.textContent = "在完整检索页中查看答案与全部结果 →";
      this.more.replaceChildren(more);
    }
  }

  if (!customElements.get("govqa-search")) customElements.define("govqa-search", GovqaSearch);
})();
