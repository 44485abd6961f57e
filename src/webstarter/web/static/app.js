// webstarter serve: the page's live preview, share link and commands. Vanilla JS, no build.
// Every check happens on the server (/preview runs the template's own validators); this file
// only gathers answers, shows what the server says, and keeps the URL shareable.
"use strict";

(function () {
  const form = document.getElementById("answers");
  const tree = document.getElementById("tree");
  const status = document.getElementById("status");
  const viewerPath = document.getElementById("viewer-path");
  const viewerCode = document.querySelector("#viewer-content code");
  const links = { zip: document.getElementById("download-zip"), tar: document.getElementById("download-tar") };
  const share = document.getElementById("share");
  const commandNew = document.getElementById("command-new");
  const commandCurl = document.getElementById("command-curl");
  let sequence = 0;
  let selected = null;
  let timer = null;

  function controls(block) {
    return Array.from(block.querySelectorAll("input, select"));
  }

  function valueOf(block) {
    const type = block.dataset.type;
    const inputs = controls(block);
    if (type === "bool") {
      return inputs[0].checked ? "true" : "false";
    }
    const radios = inputs.filter((input) => input.type === "radio");
    if (radios.length) {
      const chosen = radios.find((input) => input.checked);
      return chosen ? chosen.value : "";
    }
    return inputs[0].value;
  }

  // Only what differs from the template's defaults: short links, short commands.
  function answers() {
    const found = [];
    for (const block of form.querySelectorAll("[data-question]")) {
      if (block.hidden) continue;
      const value = valueOf(block);
      const fallback = block.dataset.default;
      if (value === "" || value === fallback) continue;
      found.push([block.dataset.question, value]);
    }
    return found;
  }

  function quote(text) {
    return /^[A-Za-z0-9._\/@:=+,-]+$/.test(text) ? text : "'" + text.replace(/'/g, "'\\''") + "'";
  }

  function describe(pairs) {
    const query = new URLSearchParams(pairs).toString();
    const origin = window.location.origin;
    const byName = Object.fromEntries(pairs);
    const folder = byName.project_name || "demo";
    const args = ["webstarter", "new"];
    if (!byName.project_name) args.push("demo");
    if (byName.framework) args.push("-f", quote(byName.framework));
    args.push("--defaults", "--no-git");
    for (const [key, value] of pairs) {
      if (key !== "framework") args.push("--data", quote(key + "=" + value));
    }
    commandNew.value = args.join(" ");
    commandCurl.value = "curl -fsSL -o " + quote(folder + ".zip") + " " + quote(origin + "/starter.zip" + (query ? "?" + query : ""));
    share.value = origin + "/" + (query ? "?" + query : "");
    links.zip.href = "/starter.zip" + (query ? "?" + query : "");
    links.tar.href = "/starter.tar.gz" + (query ? "?" + query : "");
    window.history.replaceState(null, "", "/" + (query ? "?" + query : ""));
    return query;
  }

  function setDownloads(enabled) {
    for (const link of Object.values(links)) {
      link.classList.toggle("is-disabled", !enabled);
      link.setAttribute("aria-disabled", enabled ? "false" : "true");
      if (enabled) link.removeAttribute("tabindex");
      else link.setAttribute("tabindex", "-1");
    }
  }

  function clearErrors() {
    for (const element of form.querySelectorAll(".field-error")) element.textContent = "";
    for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
  }

  function showError(field, message) {
    const target = document.getElementById("error-" + field);
    if (target) {
      target.textContent = message;
      const block = form.querySelector('[data-question="' + CSS.escape(field) + '"]');
      if (block) controls(block).forEach((input) => input.setAttribute("aria-invalid", "true"));
    } else {
      status.textContent = field + ": " + message;
    }
  }

  // `when:` conditions, evaluated by the server: hidden questions are neither shown nor sent.
  function applyState(data) {
    for (const [name, shown] of Object.entries(data.asked || {})) {
      const block = form.querySelector('[data-question="' + CSS.escape(name) + '"]');
      if (block) block.hidden = !shown;
    }
    for (const [name, value] of Object.entries(data.defaults || {})) {
      const input = document.getElementById("q-" + name);
      if (input && (input.type === "text" || input.type === "number")) input.placeholder = value == null ? "" : String(value);
    }
  }

  function buildTree(files) {
    const root = { dirs: new Map(), files: [] };
    for (const file of files) {
      const parts = file.path.split("/");
      let node = root;
      for (const part of parts.slice(0, -1)) {
        if (!node.dirs.has(part)) node.dirs.set(part, { dirs: new Map(), files: [] });
        node = node.dirs.get(part);
      }
      node.files.push({ name: parts[parts.length - 1], file: file });
    }
    return root;
  }

  function renderNode(node, depth) {
    const list = document.createElement("ul");
    list.className = depth ? "tree-list" : "tree-list tree-root";
    const dirs = Array.from(node.dirs.keys()).sort();
    for (const name of dirs) {
      const item = document.createElement("li");
      const details = document.createElement("details");
      details.open = depth < 1;
      const summary = document.createElement("summary");
      summary.textContent = name + "/";
      details.append(summary, renderNode(node.dirs.get(name), depth + 1));
      item.append(details);
      list.append(item);
    }
    for (const entry of node.files.sort((a, b) => a.name.localeCompare(b.name))) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "file" + (entry.file.path === selected ? " is-selected" : "");
      button.dataset.path = entry.file.path;
      button.textContent = entry.name;
      button.title = entry.file.path + " (" + entry.file.size + " bytes)";
      item.append(button);
      list.append(item);
    }
    return list;
  }

  async function openFile(path, query) {
    selected = path;
    for (const button of tree.querySelectorAll(".file")) button.classList.toggle("is-selected", button.dataset.path === path);
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    const response = await fetch("/preview/" + encoded + (query ? "?" + query : ""), { headers: { Accept: "application/json" } });
    const data = await response.json();
    viewerPath.textContent = response.ok ? path + " · " + data.size + " bytes" : path;
    viewerCode.textContent = response.ok ? (data.text !== null ? data.text : "(" + data.note + ")") : data.message;
  }

  async function refresh() {
    const mine = ++sequence;
    const pairs = answers();
    const query = describe(pairs);
    const hasFramework = pairs.some(([key]) => key === "framework");
    if (!hasFramework) {
      status.textContent = "Pick a framework to see its files.";
      setDownloads(false);
      return;
    }
    status.textContent = "Rendering…";
    let response;
    let data;
    try {
      response = await fetch("/preview" + (query ? "?" + query : ""), { headers: { Accept: "application/json" } });
      data = await response.json();
    } catch (error) {
      if (mine === sequence) status.textContent = "The server cannot be reached.";
      return;
    }
    if (mine !== sequence) return; // an answer changed meanwhile: a newer preview is coming
    clearErrors();
    applyState(data);
    if (!response.ok) {
      setDownloads(false);
      status.textContent = "Fix the highlighted answer to see the files.";
      if (data.field) showError(data.field, data.message);
      else status.textContent = data.message;
      if (data.asked) describe(answers());
      return;
    }
    const current = describe(answers()); // hidden questions may have changed
    if (current !== query) { schedule(); return; }
    setDownloads(true);
    status.textContent = data.count + " files, " + (data.bytes / 1024).toFixed(0) + " KiB in " + data.folder + "/";
    tree.replaceChildren(renderNode(buildTree(data.files), 0));
    if (selected && data.files.some((file) => file.path === selected)) openFile(selected, query);
    else if (selected) { selected = null; viewerPath.textContent = "Choose a file to read it."; viewerCode.textContent = ""; }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (event) => { event.preventDefault(); if (!links.zip.classList.contains("is-disabled")) links.zip.click(); });
  tree.addEventListener("click", (event) => {
    const button = event.target.closest(".file");
    if (button) openFile(button.dataset.path, new URLSearchParams(answers()).toString());
  });
  for (const link of Object.values(links)) {
    link.addEventListener("click", (event) => { if (link.classList.contains("is-disabled")) event.preventDefault(); });
  }
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (error) {
        field.select();
        document.execCommand("copy");
      }
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = label; }, 1200);
    });
  }
  refresh();
})();
